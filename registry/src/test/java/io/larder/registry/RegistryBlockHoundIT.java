package io.larder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeaturesRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListStoresRequest;
import io.larder.proto.core.CoreServiceProto.UpdateStoreRequest;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.core.ReactorCoreServiceGrpc.ReactorCoreServiceStub;
import io.larder.proto.core.StoreProto.Store;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsRequest;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.blockhound.LarderBlockHound;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Every request path of the registry, with BlockHound failing any blocking call on an event loop.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class RegistryBlockHoundIT {

  static {
    // Before Spring starts, so the event loops exist under BlockHound from their first task.
    LarderBlockHound.install();
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  private ManagedChannel channel;
  private ReactorCoreServiceStub core;
  private final String project =
      "bh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @BeforeEach
  void connect() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    core = ReactorCoreServiceGrpc.newReactorStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void blockHoundIsActiveOnReactorThreads() {
    Mono.delay(Duration.ofMillis(1), Schedulers.parallel())
        .doOnNext(
            tick -> {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .as(StepVerifier::create)
        .expectError(BlockingOperationError.class)
        .verify(TIMEOUT);
  }

  @Test
  void everyGrpcRequestPathStaysNonBlocking() {
    FeatureTableSpec table =
        FeatureTableSpec.newBuilder()
            .setName("driver_stats")
            .addEntities("driver_id")
            .addFeatures(
                FeatureSpecV2.newBuilder().setName("trips").setValueType(ValueType.Enum.INT64))
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn("event_timestamp")
                    .setFileOptions(
                        DataSource.FileOptions.newBuilder()
                            .setFileUrl("file:///tmp/driver_stats.parquet")
                            .setFileFormat(
                                FileFormat.newBuilder()
                                    .setParquetFormat(
                                        FileFormat.ParquetFormat.getDefaultInstance()))))
            .build();
    Mono<?> everyCall =
        core.createProject(CreateProjectRequest.newBuilder().setName(project).build())
            .then(
                core.applyEntity(
                    ApplyEntityRequest.newBuilder()
                        .setProject(project)
                        .setSpec(
                            EntitySpecV2.newBuilder()
                                .setName("driver_id")
                                .setValueType(ValueType.Enum.INT64))
                        .build()))
            .then(
                core.applyFeatureTable(
                    ApplyFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setTableSpec(table)
                        .build()))
            .then(core.listProjects(ListProjectsRequest.getDefaultInstance()))
            .then(
                core.getEntity(
                    GetEntityRequest.newBuilder().setProject(project).setName("driver_id").build()))
            .then(
                core.listEntities(
                    ListEntitiesRequest.newBuilder()
                        .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
                        .build()))
            .then(
                core.getFeatureTable(
                    GetFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName("driver_stats")
                        .build()))
            .then(
                core.listFeatureTables(
                    ListFeatureTablesRequest.newBuilder()
                        .setFilter(ListFeatureTablesRequest.Filter.newBuilder().setProject(project))
                        .build()))
            .then(
                core.listFeatures(
                    ListFeaturesRequest.newBuilder()
                        .setFilter(ListFeaturesRequest.Filter.newBuilder().setProject(project))
                        .build()))
            .then(
                core.updateStore(
                    UpdateStoreRequest.newBuilder()
                        .setStore(
                            Store.newBuilder()
                                .setName(project)
                                .setType(Store.StoreType.REDIS)
                                .setRedisConfig(
                                    Store.RedisConfig.newBuilder()
                                        .setHost("127.0.0.1")
                                        .setPort(6379)))
                        .build()))
            .then(
                core.listStores(
                    ListStoresRequest.newBuilder()
                        .setFilter(ListStoresRequest.Filter.newBuilder().setName(project))
                        .build()))
            .then(
                ReactorRegistryExtServiceGrpc.newReactorStub(channel)
                    .withDeadlineAfter(15, TimeUnit.SECONDS)
                    .listFeatureTableRevisions(
                        ListFeatureTableRevisionsRequest.newBuilder()
                            .setProject(project)
                            .setName("driver_stats")
                            .build()))
            .then(
                ReactorRegistryExtServiceGrpc.newReactorStub(channel)
                    .withDeadlineAfter(15, TimeUnit.SECONDS)
                    .listChanges(ListChangesRequest.getDefaultInstance()))
            .then(
                ReactorRegistryExtServiceGrpc.newReactorStub(channel)
                    .withDeadlineAfter(15, TimeUnit.SECONDS)
                    .watchChanges(WatchChangesRequest.getDefaultInstance())
                    .take(1)
                    .then())
            .then(
                core.deleteFeatureTable(
                    DeleteFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName("driver_stats")
                        .build()))
            // A refused request takes the error path; it must not block either.
            .then(
                core.getEntity(
                        GetEntityRequest.newBuilder().setProject(project).setName("nobody").build())
                    .onErrorResume(
                        error -> {
                          assertThat(Status.fromThrowable(error).getCode())
                              .isEqualTo(Status.Code.NOT_FOUND);
                          return Mono.empty();
                        }));

    everyCall.as(StepVerifier::create).expectNextCount(0).expectComplete().verify(TIMEOUT);
  }

  @Test
  void httpRequestPathsStayNonBlocking() {
    WebTestClient http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(TIMEOUT)
            .build();
    String base = "/api/v1/projects/" + project;

    http.put()
        .uri(base + "/entities")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"name\":\"driver_id\",\"valueType\":\"INT64\"}")
        .exchange()
        .expectStatus()
        .isOk();
    http.get().uri(base + "/entities/driver_id").exchange().expectStatus().isOk();
    http.get().uri(base + "/entities?label=team:ml").exchange().expectStatus().isOk();
    http.get().uri(base + "/feature-tables").exchange().expectStatus().isOk();
    http.get().uri(base + "/feature-tables/missing").exchange().expectStatus().isNotFound();
    http.get().uri(base + "/features").exchange().expectStatus().isOk();
    http.get().uri("/api/v1/projects").exchange().expectStatus().isOk();
    http.get().uri("/api/v1/changes?since=0&limit=5").exchange().expectStatus().isOk();
    http.get().uri("/api/v1/me").exchange().expectStatus().isOk();
    http.get().uri("/console/").exchange().expectStatus().isOk();
    http.get().uri("/console/app.js").exchange().expectStatus().isOk();
    // No job service configured here: the proxy's own answer (ConsoleIT covers forwarding).
    http.get().uri("/console/api/orchestrator/jobs").exchange().expectStatus().isEqualTo(503);
    http.put()
        .uri(base + "/entities")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"name\":")
        .exchange()
        .expectStatus()
        .isBadRequest();
  }
}
