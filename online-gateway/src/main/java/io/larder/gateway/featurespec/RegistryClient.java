package io.larder.gateway.featurespec;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import io.larder.support.security.BearerToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The registry calls the spec cache makes, over reactive gRPC. */
final class RegistryClient implements AutoCloseable {

  /** Projects loaded at once during a full load. */
  private static final int PROJECT_CONCURRENCY = 4;

  private static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

  private final String target;
  private final ManagedChannel channel;
  private final ReactorCoreServiceGrpc.ReactorCoreServiceStub core;
  private final ReactorRegistryExtServiceGrpc.ReactorRegistryExtServiceStub ext;
  private final long callTimeoutMillis;

  RegistryClient(String target, Duration callTimeout) {
    this(target, callTimeout, null);
  }

  RegistryClient(String target, Duration callTimeout, String token) {
    this.target = target;
    this.channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            // A project's tables come in one ListFeatureTables answer; gRPC's 4MB default caps a
            // registry at a few thousand wide tables.
            .maxInboundMessageSize(MAX_ANSWER_BYTES)
            .intercept(BearerToken.attaching(token))
            .build();
    this.core = ReactorCoreServiceGrpc.newReactorStub(channel);
    this.ext = ReactorRegistryExtServiceGrpc.newReactorStub(channel);
    this.callTimeoutMillis = callTimeout.toMillis();
  }

  String target() {
    return target;
  }

  /** Every non-archived project with its tables and entities. */
  Mono<FeatureSpecSnapshot> loadAll() {
    return listProjects()
        .flatMapMany(Flux::fromIterable)
        .flatMap(this::loadProject, PROJECT_CONCURRENCY)
        .collectList()
        .map(FeatureSpecSnapshot::of);
  }

  Mono<List<String>> listProjects() {
    return Mono.defer(
        () ->
            core()
                .listProjects(ListProjectsRequest.getDefaultInstance())
                .map(response -> List.copyOf(response.getProjectsList())));
  }

  /** One project's specs; empty when the project vanished (archived) since it was listed. */
  Mono<ProjectSpec> loadProject(String project) {
    Mono<List<FeatureTable>> tables =
        Mono.defer(
            () ->
                core()
                    .listFeatureTables(
                        ListFeatureTablesRequest.newBuilder()
                            .setFilter(
                                ListFeatureTablesRequest.Filter.newBuilder().setProject(project))
                            .build())
                    .map(response -> response.getTablesList()));
    Mono<List<Entity>> entities =
        Mono.defer(
            () ->
                core()
                    .listEntities(
                        ListEntitiesRequest.newBuilder()
                            .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
                            .build())
                    .map(response -> response.getEntitiesList()));
    return Mono.zip(
            tables,
            entities,
            (t, e) ->
                ProjectSpec.of(
                    project,
                    t.stream().map(FeatureTable::getSpec).toList(),
                    e.stream().map(Entity::getSpec).toList()))
        .onErrorResume(RegistryClient::projectGone, gone -> Mono.empty());
  }

  private static boolean projectGone(Throwable error) {
    Status.Code code = Status.fromThrowable(error).getCode();
    return code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION;
  }

  /** The newest change sequence the registry knows. */
  Mono<Long> latestSequence() {
    return Mono.defer(
        () ->
            ext.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS)
                .listChanges(ListChangesRequest.newBuilder().setLimit(1).build())
                .map(ListChangesResponse::getLatestSequence));
  }

  /** Changes after {@code sinceSequence}, then live ones; no deadline, it runs until cancelled. */
  Flux<Change> watch(long sinceSequence) {
    return Flux.defer(
        () ->
            ext.watchChanges(
                WatchChangesRequest.newBuilder().setSinceSequence(sinceSequence).build()));
  }

  // A deadline is fixed when the stub is made, so every call makes its own.
  private ReactorCoreServiceGrpc.ReactorCoreServiceStub core() {
    return core.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
