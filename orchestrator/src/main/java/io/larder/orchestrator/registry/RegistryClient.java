package io.larder.orchestrator.registry;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.orchestrator.OrchestratorException;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutRequest;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutResponse;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import io.larder.support.security.BearerToken;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The registry calls the orchestrator makes, over reactive gRPC, each with a deadline, retried on
 * transient failures and behind a circuit breaker, so a registry outage costs callers a fast
 * UNAVAILABLE rather than a pile of hanging calls.
 */
@Component
public class RegistryClient {

  private static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;
  private static final Set<Status.Code> TRANSIENT =
      Set.of(
          Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);

  private final String target;
  private final ManagedChannel channel;
  private final ReactorCoreServiceGrpc.ReactorCoreServiceStub core;
  private final ReactorRegistryExtServiceGrpc.ReactorRegistryExtServiceStub ext;
  private final long callTimeoutMillis;
  private final Retry retry;
  private final CircuitBreaker breaker;

  RegistryClient(OrchestratorProperties properties, MeterRegistry meters) {
    OrchestratorProperties.Registry settings = properties.registry();
    this.target = settings.target();
    this.channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            .maxInboundMessageSize(MAX_ANSWER_BYTES)
            .intercept(BearerToken.attaching(settings.token()))
            .build();
    this.core = ReactorCoreServiceGrpc.newReactorStub(channel);
    this.ext = ReactorRegistryExtServiceGrpc.newReactorStub(channel);
    this.callTimeoutMillis = settings.callTimeout().toMillis();
    RetryRegistry retries =
        RetryRegistry.of(
            RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2))
                .retryOnException(
                    error -> TRANSIENT.contains(Status.fromThrowable(error).getCode()))
                .build());
    CircuitBreakerRegistry breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .recordException(error -> TRANSIENT.contains(Status.fromThrowable(error).getCode()))
                .build());
    this.retry = retries.retry("registry");
    this.breaker = breakers.circuitBreaker("registry");
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
  }

  public String target() {
    return target;
  }

  /** The table as registered; NOT_FOUND naming it when there is none. */
  public Mono<FeatureTable> table(String project, String name) {
    return call(() ->
            core()
                .getFeatureTable(
                    GetFeatureTableRequest.newBuilder().setProject(project).setName(name).build())
                .map(response -> response.getTable()))
        .onErrorMap(
            error -> Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND,
            error ->
                OrchestratorException.notFound(
                    "feature table '%s' not found in project '%s'", name, project));
  }

  /** The project's entities. */
  public Mono<List<EntitySpecV2>> entities(String project) {
    return call(
        () ->
            core()
                .listEntities(
                    ListEntitiesRequest.newBuilder()
                        .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
                        .build())
                .map(
                    response -> response.getEntitiesList().stream().map(Entity::getSpec).toList()));
  }

  /** The projects that are not archived. */
  public Mono<List<String>> projects() {
    return call(
        () ->
            core()
                .listProjects(ListProjectsRequest.getDefaultInstance())
                .map(response -> List.copyOf(response.getProjectsList())));
  }

  /** The project's tables; empty when the project does not exist (any more). */
  public Mono<List<FeatureTable>> tables(String project) {
    return call(() ->
            core()
                .listFeatureTables(
                    ListFeatureTablesRequest.newBuilder()
                        .setFilter(ListFeatureTablesRequest.Filter.newBuilder().setProject(project))
                        .build())
                .map(response -> List.copyOf(response.getTablesList())))
        .onErrorResume(
            error -> Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND,
            gone -> Mono.just(List.of()));
  }

  /**
   * Switches the table to {@code layout} as a new revision, refused when its {@code meta.hash} is
   * no longer {@code expectedHash}; answers the table as it now is.
   */
  public Mono<FeatureTable> changeOnlineLayout(
      String project, String name, String layout, String expectedHash) {
    return call(
        () ->
            ext.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS)
                .changeOnlineLayout(
                    ChangeOnlineLayoutRequest.newBuilder()
                        .setProject(project)
                        .setName(name)
                        .setLayout(layout)
                        .setExpectedHash(expectedHash)
                        .build())
                .map(ChangeOnlineLayoutResponse::getTable));
  }

  /** The newest change sequence; fails UNIMPLEMENTED against a registry without a change feed. */
  public Mono<Long> latestSequence() {
    return Mono.defer(
        () ->
            ext.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS)
                .listChanges(ListChangesRequest.newBuilder().setLimit(1).build())
                .map(ListChangesResponse::getLatestSequence));
  }

  /** Changes after {@code sinceSequence}, then live ones; runs until cancelled or failed. */
  public Flux<Change> watch(long sinceSequence) {
    return Flux.defer(
        () ->
            ext.watchChanges(
                WatchChangesRequest.newBuilder().setSinceSequence(sinceSequence).build()));
  }

  private <T> Mono<T> call(Supplier<Mono<T>> rpc) {
    return Mono.defer(rpc)
        .transformDeferred(RetryOperator.of(retry))
        .transformDeferred(CircuitBreakerOperator.of(breaker))
        .onErrorMap(
            error ->
                error instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException
                    || TRANSIENT.contains(Status.fromThrowable(error).getCode()),
            error ->
                OrchestratorException.unavailable(
                    "the registry at " + target + " is unreachable: " + describe(error), error));
  }

  private static String describe(Throwable error) {
    if (error instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException) {
      return "recent calls failed (circuit open)";
    }
    Status status = Status.fromThrowable(error);
    return status.getCode()
        + (status.getDescription() == null ? "" : " " + status.getDescription());
  }

  // A deadline is fixed when the stub is made, so every call makes its own.
  private ReactorCoreServiceGrpc.ReactorCoreServiceStub core() {
    return core.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  @PreDestroy
  void close() {
    channel.shutdownNow();
  }
}
