package io.larder.registry.api.grpc;

import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyEntityResponse;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectResponse;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectResponse;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityResponse;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionResponse;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeaturesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeaturesResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import io.larder.proto.core.CoreServiceProto.ListStoresRequest;
import io.larder.proto.core.CoreServiceProto.ListStoresResponse;
import io.larder.proto.core.CoreServiceProto.UpdateStoreRequest;
import io.larder.proto.core.CoreServiceProto.UpdateStoreResponse;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.registry.RegistryVersion;
import io.larder.registry.api.Access;
import io.larder.registry.api.RegistryErrors;
import io.larder.registry.entity.EntityService;
import io.larder.registry.featuretable.FeatureTableService;
import io.larder.registry.project.ProjectService;
import io.larder.registry.storeconfig.StoreConfigService;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Feast 0.9's CoreService over gRPC: adapts messages and delegates. */
@Component
class CoreGrpcService extends ReactorCoreServiceGrpc.CoreServiceImplBase {

  private final RegistryVersion version;
  private final ProjectService projects;
  private final EntityService entities;
  private final FeatureTableService tables;
  private final StoreConfigService stores;

  CoreGrpcService(
      RegistryVersion version,
      ProjectService projects,
      EntityService entities,
      FeatureTableService tables,
      StoreConfigService stores) {
    this.version = version;
    this.projects = projects;
    this.entities = entities;
    this.tables = tables;
    this.stores = stores;
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return RegistryErrors.toGrpc(error);
  }

  @Override
  public Mono<GetFeastCoreVersionResponse> getFeastCoreVersion(GetFeastCoreVersionRequest request) {
    return Mono.just(GetFeastCoreVersionResponse.newBuilder().setVersion(version.value()).build());
  }

  @Override
  public Mono<CreateProjectResponse> createProject(CreateProjectRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.ADMIN, request.getName(), "create projects")
        .then(
            Mono.defer(
                () ->
                    projects
                        .create(request.getName())
                        .thenReturn(CreateProjectResponse.getDefaultInstance())));
  }

  @Override
  public Mono<ArchiveProjectResponse> archiveProject(ArchiveProjectRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.ADMIN, request.getName(), "archive projects")
        .then(
            Mono.defer(
                () ->
                    projects
                        .archive(request.getName())
                        .thenReturn(ArchiveProjectResponse.getDefaultInstance())));
  }

  @Override
  public Mono<ListProjectsResponse> listProjects(ListProjectsRequest request) {
    Caller caller = GrpcAuthentication.current();
    return projects
        .list()
        .filter(name -> Access.mayList(caller, name))
        .collectList()
        .map(names -> ListProjectsResponse.newBuilder().addAllProjects(names).build());
  }

  @Override
  public Mono<ApplyEntityResponse> applyEntity(ApplyEntityRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.WRITER, request.getProject(), "apply entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .apply(request.getProject(), request.getSpec())
                        .map(
                            entity -> ApplyEntityResponse.newBuilder().setEntity(entity).build())));
  }

  @Override
  public Mono<GetEntityResponse> getEntity(GetEntityRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.READER, request.getProject(), "read entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .get(request.getProject(), request.getName())
                        .map(entity -> GetEntityResponse.newBuilder().setEntity(entity).build())));
  }

  @Override
  public Mono<ListEntitiesResponse> listEntities(ListEntitiesRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(
            caller, ProjectRole.READER, request.getFilter().getProject(), "list entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .list(request.getFilter().getProject(), request.getFilter().getLabelsMap())
                        .collectList()
                        .map(
                            found ->
                                ListEntitiesResponse.newBuilder().addAllEntities(found).build())));
  }

  @Override
  public Mono<ApplyFeatureTableResponse> applyFeatureTable(ApplyFeatureTableRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.WRITER, request.getProject(), "apply feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .apply(request.getProject(), request.getTableSpec())
                        .map(
                            table ->
                                ApplyFeatureTableResponse.newBuilder().setTable(table).build())));
  }

  @Override
  public Mono<GetFeatureTableResponse> getFeatureTable(GetFeatureTableRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.READER, request.getProject(), "read feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .get(request.getProject(), request.getName())
                        .map(
                            table ->
                                GetFeatureTableResponse.newBuilder().setTable(table).build())));
  }

  @Override
  public Mono<ListFeatureTablesResponse> listFeatureTables(ListFeatureTablesRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(
            caller, ProjectRole.READER, request.getFilter().getProject(), "list feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .list(request.getFilter().getProject(), request.getFilter().getLabelsMap())
                        .collectList()
                        .map(
                            found ->
                                ListFeatureTablesResponse.newBuilder()
                                    .addAllTables(found)
                                    .build())));
  }

  @Override
  public Mono<DeleteFeatureTableResponse> deleteFeatureTable(DeleteFeatureTableRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.WRITER, request.getProject(), "delete feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .delete(request.getProject(), request.getName())
                        .thenReturn(DeleteFeatureTableResponse.getDefaultInstance())));
  }

  @Override
  public Mono<ListFeaturesResponse> listFeatures(ListFeaturesRequest request) {
    ListFeaturesRequest.Filter filter = request.getFilter();
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.READER, filter.getProject(), "list features")
        .then(
            Mono.defer(
                () ->
                    tables
                        .features(
                            filter.getProject(), filter.getEntitiesList(), filter.getLabelsMap())
                        .map(
                            features ->
                                ListFeaturesResponse.newBuilder()
                                    .putAllFeatures(features)
                                    .build())));
  }

  @Override
  public Mono<ListStoresResponse> listStores(ListStoresRequest request) {
    return stores
        .list(request.getFilter().getName())
        .collectList()
        .map(found -> ListStoresResponse.newBuilder().addAllStore(found).build());
  }

  @Override
  public Mono<UpdateStoreResponse> updateStore(UpdateStoreRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.requireEverywhere(caller, ProjectRole.ADMIN, "configure stores")
        .then(Mono.defer(() -> stores.update(request.getStore())));
  }
}
