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
import io.larder.registry.api.RegistryErrors;
import io.larder.registry.entity.EntityService;
import io.larder.registry.featuretable.FeatureTableService;
import io.larder.registry.project.ProjectService;
import io.larder.registry.storeconfig.StoreConfigService;
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
    return projects
        .create(request.getName())
        .thenReturn(CreateProjectResponse.getDefaultInstance());
  }

  @Override
  public Mono<ArchiveProjectResponse> archiveProject(ArchiveProjectRequest request) {
    return projects
        .archive(request.getName())
        .thenReturn(ArchiveProjectResponse.getDefaultInstance());
  }

  @Override
  public Mono<ListProjectsResponse> listProjects(ListProjectsRequest request) {
    return projects
        .list()
        .collectList()
        .map(names -> ListProjectsResponse.newBuilder().addAllProjects(names).build());
  }

  @Override
  public Mono<ApplyEntityResponse> applyEntity(ApplyEntityRequest request) {
    return entities
        .apply(request.getProject(), request.getSpec())
        .map(entity -> ApplyEntityResponse.newBuilder().setEntity(entity).build());
  }

  @Override
  public Mono<GetEntityResponse> getEntity(GetEntityRequest request) {
    return entities
        .get(request.getProject(), request.getName())
        .map(entity -> GetEntityResponse.newBuilder().setEntity(entity).build());
  }

  @Override
  public Mono<ListEntitiesResponse> listEntities(ListEntitiesRequest request) {
    return entities
        .list(request.getFilter().getProject(), request.getFilter().getLabelsMap())
        .collectList()
        .map(found -> ListEntitiesResponse.newBuilder().addAllEntities(found).build());
  }

  @Override
  public Mono<ApplyFeatureTableResponse> applyFeatureTable(ApplyFeatureTableRequest request) {
    return tables
        .apply(request.getProject(), request.getTableSpec())
        .map(table -> ApplyFeatureTableResponse.newBuilder().setTable(table).build());
  }

  @Override
  public Mono<GetFeatureTableResponse> getFeatureTable(GetFeatureTableRequest request) {
    return tables
        .get(request.getProject(), request.getName())
        .map(table -> GetFeatureTableResponse.newBuilder().setTable(table).build());
  }

  @Override
  public Mono<ListFeatureTablesResponse> listFeatureTables(ListFeatureTablesRequest request) {
    return tables
        .list(request.getFilter().getProject(), request.getFilter().getLabelsMap())
        .collectList()
        .map(found -> ListFeatureTablesResponse.newBuilder().addAllTables(found).build());
  }

  @Override
  public Mono<DeleteFeatureTableResponse> deleteFeatureTable(DeleteFeatureTableRequest request) {
    return tables
        .delete(request.getProject(), request.getName())
        .thenReturn(DeleteFeatureTableResponse.getDefaultInstance());
  }

  @Override
  public Mono<ListFeaturesResponse> listFeatures(ListFeaturesRequest request) {
    ListFeaturesRequest.Filter filter = request.getFilter();
    return tables
        .features(filter.getProject(), filter.getEntitiesList(), filter.getLabelsMap())
        .map(features -> ListFeaturesResponse.newBuilder().putAllFeatures(features).build());
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
    return stores.update(request.getStore());
  }
}
