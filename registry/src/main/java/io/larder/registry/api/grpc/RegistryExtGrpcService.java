package io.larder.registry.api.grpc;

import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutRequest;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutResponse;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityRequest;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityResponse;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsRequest;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsResponse;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import io.larder.registry.api.Access;
import io.larder.registry.api.RegistryErrors;
import io.larder.registry.change.ChangeFeed;
import io.larder.registry.entity.EntityService;
import io.larder.registry.featuretable.FeatureTableService;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Larder's registry extensions over gRPC: revision history, the change feed, entity deletion, the
 * online layout switch.
 */
@Component
class RegistryExtGrpcService extends ReactorRegistryExtServiceGrpc.RegistryExtServiceImplBase {

  private final FeatureTableService tables;
  private final EntityService entities;
  private final ChangeFeed changes;

  RegistryExtGrpcService(FeatureTableService tables, EntityService entities, ChangeFeed changes) {
    this.tables = tables;
    this.entities = entities;
    this.changes = changes;
  }

  @Override
  public Mono<DeleteEntityResponse> deleteEntity(DeleteEntityRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(caller, ProjectRole.WRITER, request.getProject(), "delete entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .delete(request.getProject(), request.getName())
                        .thenReturn(DeleteEntityResponse.getDefaultInstance())));
  }

  @Override
  public Mono<ChangeOnlineLayoutResponse> changeOnlineLayout(ChangeOnlineLayoutRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(
            caller, ProjectRole.WRITER, request.getProject(), "change a table's online layout")
        .then(
            Mono.defer(
                () ->
                    tables.changeOnlineLayout(
                        request.getProject(),
                        request.getName(),
                        request.getLayout(),
                        request.getExpectedHash())))
        .map(table -> ChangeOnlineLayoutResponse.newBuilder().setTable(table).build());
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return RegistryErrors.toGrpc(error);
  }

  @Override
  public Mono<ListFeatureTableRevisionsResponse> listFeatureTableRevisions(
      ListFeatureTableRevisionsRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.require(
            caller, ProjectRole.READER, request.getProject(), "read feature table revisions")
        .then(
            Mono.defer(
                () ->
                    tables
                        .revisions(request.getProject(), request.getName())
                        .collectList()
                        .map(
                            revisions ->
                                ListFeatureTableRevisionsResponse.newBuilder()
                                    .addAllRevisions(revisions)
                                    .build())));
  }

  @Override
  public Mono<ListChangesResponse> listChanges(ListChangesRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.requireEverywhere(caller, ProjectRole.READER, "read the change feed")
        .then(Mono.defer(() -> changes.list(request.getSinceSequence(), request.getLimit())));
  }

  @Override
  public Flux<Change> watchChanges(WatchChangesRequest request) {
    Caller caller = GrpcAuthentication.current();
    return Access.requireEverywhere(caller, ProjectRole.READER, "watch the change feed")
        .thenMany(Flux.defer(() -> changes.watch(request.getSinceSequence())));
  }
}
