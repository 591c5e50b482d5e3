package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceGrpc.CoreServiceBlockingStub;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.UpdateStoreRequest;
import io.larder.proto.core.StoreProto.Store;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutRequest;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtServiceGrpc.RegistryExtServiceBlockingStub;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.larder.support.security.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * With authentication on, every write of the registry — over gRPC and HTTP — tried without a token,
 * with an expired one, with a role in another project and with a reader's token: none is accepted
 * and nothing changes; readers read, writers write, the change feed needs a role on every project.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.security.enabled=true",
      "larder.security.secret=" + TestTokens.SECRET,
      "larder.security.issuer=" + TestTokens.ISSUER
    })
class RegistryAuthenticationIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  private final String project = uniqueProject();
  private ManagedChannel channel;
  private WebTestClient http;

  @BeforeEach
  void setUp() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(TIMEOUT)
            .build();
    String admin = TestTokens.valid("platform", "admin:*");
    core(admin).createProject(CreateProjectRequest.newBuilder().setName(project).build());
    core(admin)
        .applyEntity(
            ApplyEntityRequest.newBuilder()
                .setProject(project)
                .setSpec(entity("driver", ValueType.Enum.INT64))
                .build());
    core(admin)
        .applyFeatureTable(
            ApplyFeatureTableRequest.newBuilder()
                .setProject(project)
                .setTableSpec(table("stats", "driver", feature("trips", ValueType.Enum.INT64)))
                .build());
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
  }

  /** Tokens that must not write: none, expired, a role elsewhere, a reader of this project. */
  private Map<String, String> refusedWriters() {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("no token", null);
    tokens.put("expired writer", TestTokens.expired("late", "writer:" + project));
    tokens.put("admin elsewhere", TestTokens.valid("other", "admin:other_project"));
    tokens.put("reader", TestTokens.valid("analyst", "reader:" + project));
    return tokens;
  }

  @Test
  void noWriteIsAcceptedOverGrpcWithoutTheRole() {
    Map<String, Consumer<String>> writes = new LinkedHashMap<>();
    writes.put(
        "ApplyEntity",
        token ->
            core(token)
                .applyEntity(
                    ApplyEntityRequest.newBuilder()
                        .setProject(project)
                        .setSpec(entity("customer", ValueType.Enum.STRING))
                        .build()));
    writes.put(
        "ApplyFeatureTable",
        token ->
            core(token)
                .applyFeatureTable(
                    ApplyFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setTableSpec(table("other", "driver", feature("x", ValueType.Enum.INT64)))
                        .build()));
    writes.put(
        "DeleteFeatureTable",
        token ->
            core(token)
                .deleteFeatureTable(
                    DeleteFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName("stats")
                        .build()));
    writes.put(
        "DeleteEntity",
        token ->
            ext(token)
                .deleteEntity(
                    DeleteEntityRequest.newBuilder()
                        .setProject(project)
                        .setName("driver")
                        .build()));
    writes.put(
        "ChangeOnlineLayout",
        token ->
            ext(token)
                .changeOnlineLayout(
                    ChangeOnlineLayoutRequest.newBuilder()
                        .setProject(project)
                        .setName("stats")
                        .setLayout("packed")
                        .build()));
    writes.put(
        "CreateProject",
        token ->
            core(token)
                .createProject(CreateProjectRequest.newBuilder().setName(project + "_x").build()));
    writes.put(
        "ArchiveProject",
        token ->
            core(token)
                .archiveProject(ArchiveProjectRequest.newBuilder().setName(project).build()));
    writes.put(
        "UpdateStore",
        token ->
            core(token)
                .updateStore(
                    UpdateStoreRequest.newBuilder()
                        .setStore(Store.newBuilder().setName("online").build())
                        .build()));

    List<String> accepted = new ArrayList<>();
    refusedWriters()
        .forEach(
            (who, token) ->
                writes.forEach(
                    (rpc, write) -> {
                      Status status =
                          Status.fromThrowable(catchThrowable(() -> write.accept(token)));
                      if (status.isOk()) {
                        accepted.add(rpc + " by " + who);
                      } else {
                        assertThat(status.getCode())
                            .as("%s by %s: %s", rpc, who, status)
                            .isEqualTo(
                                who.equals("no token") || who.startsWith("expired")
                                    ? Status.Code.UNAUTHENTICATED
                                    : Status.Code.PERMISSION_DENIED);
                      }
                    }));
    assertThat(accepted).isEmpty();

    // Nothing changed: the table and entity are there, the project still active.
    String reader = TestTokens.valid("analyst", "reader:" + project);
    assertThat(
            core(reader)
                .getFeatureTable(
                    GetFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName("stats")
                        .build())
                .getTable()
                .getSpec()
                .getName())
        .isEqualTo("stats");
    assertThat(
            core(reader)
                .getEntity(
                    GetEntityRequest.newBuilder().setProject(project).setName("driver").build())
                .getEntity()
                .getSpec()
                .getName())
        .isEqualTo("driver");
    assertThat(
            core(reader).listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList())
        .containsExactly(project);
  }

  @Test
  void noWriteIsAcceptedOverHttpWithoutTheRole() {
    String base = "/api/v1/projects/" + project;
    record Write(HttpMethod method, String uri, String body) {}
    List<Write> writes =
        List.of(
            new Write(
                HttpMethod.PUT, base + "/entities", "{\"name\":\"c\",\"valueType\":\"INT64\"}"),
            new Write(
                HttpMethod.PUT,
                base + "/feature-tables",
                "{\"name\":\"o\",\"entities\":[\"driver\"],\"features\":[{\"name\":\"x\","
                    + "\"valueType\":\"INT64\"}],\"batchSource\":{\"type\":\"BATCH_FILE\","
                    + "\"fileOptions\":{\"fileFormat\":{\"parquetFormat\":{}},\"fileUrl\":"
                    + "\"file:///tmp/x\"},\"eventTimestampColumn\":\"ts\"}}"),
            new Write(HttpMethod.DELETE, base + "/feature-tables/stats", null),
            new Write(HttpMethod.DELETE, base + "/entities/driver", null),
            new Write(HttpMethod.POST, base + "/archive", null),
            new Write(HttpMethod.POST, "/api/v1/projects", "{\"name\":\"" + project + "_y\"}"),
            new Write(HttpMethod.PUT, "/api/v1/stores", "{\"name\":\"online\"}"));

    List<String> accepted = new ArrayList<>();
    refusedWriters()
        .forEach(
            (who, token) ->
                writes.forEach(
                    write -> {
                      WebTestClient.RequestBodySpec request =
                          http.method(write.method()).uri(write.uri());
                      if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                      }
                      int status =
                          (write.body() == null
                                  ? request
                                  : request
                                      .contentType(MediaType.APPLICATION_JSON)
                                      .bodyValue(write.body()))
                              .exchange()
                              .returnResult(String.class)
                              .getStatus()
                              .value();
                      if (status < 400) {
                        accepted.add(write.method() + " " + write.uri() + " by " + who);
                      } else {
                        assertThat(status)
                            .as("%s %s by %s", write.method(), write.uri(), who)
                            .isEqualTo(
                                who.equals("no token") || who.startsWith("expired") ? 401 : 403);
                      }
                    }));
    assertThat(accepted).isEmpty();
  }

  @Test
  void readersReadWritersWriteAndTheFeedNeedsEveryProject() {
    String reader = TestTokens.valid("analyst", "reader:" + project);
    String writer = TestTokens.valid("pipeline", "writer:" + project);
    String service = TestTokens.valid("gateway", "reader:*");

    http.get()
        .uri("/api/v1/projects/{p}/feature-tables/stats", project)
        .header("Authorization", "Bearer " + reader)
        .exchange()
        .expectStatus()
        .isOk();
    assertThat(
            core(writer)
                .applyEntity(
                    ApplyEntityRequest.newBuilder()
                        .setProject(project)
                        .setSpec(entity("customer", ValueType.Enum.STRING))
                        .build())
                .getEntity()
                .getSpec()
                .getName())
        .isEqualTo("customer");

    Status feedForReader =
        Status.fromThrowable(
            catchThrowable(() -> ext(reader).listChanges(ListChangesRequest.getDefaultInstance())));
    assertThat(feedForReader.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(feedForReader.getDescription()).contains("'*'").contains("reader");
    assertThat(ext(service).listChanges(ListChangesRequest.getDefaultInstance()).getChangesCount())
        .isPositive();
    http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
  }

  @Test
  void consoleFilesLoadWithoutATokenAndItsCallsNeedOne() {
    http.get().uri("/console").exchange().expectStatus().isPermanentRedirect();
    http.get().uri("/console/").exchange().expectStatus().isOk();
    http.get().uri("/console/app.js").exchange().expectStatus().isOk();
    http.get().uri("/console/pages/login.js").exchange().expectStatus().isOk();

    http.get().uri("/api/v1/me").exchange().expectStatus().isUnauthorized();
    http.get().uri("/console/api/orchestrator/jobs").exchange().expectStatus().isUnauthorized();
    http.post()
        .uri("/console/api/gateway/features/online")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{}")
        .exchange()
        .expectStatus()
        .isUnauthorized();
    // Only reads of the console's files are open: nothing else under /console.
    http.post().uri("/console/").exchange().expectStatus().isUnauthorized();

    String reader = TestTokens.valid("analyst", "reader:" + project, "writer:other_project");
    http.get()
        .uri("/api/v1/me")
        .header("Authorization", "Bearer " + reader)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.subject")
        .isEqualTo("analyst")
        .jsonPath("$.authentication")
        .isEqualTo(true)
        .jsonPath("$.roles." + project)
        .isEqualTo("reader")
        .jsonPath("$.roles.other_project")
        .isEqualTo("writer");
    // Past authentication, the proxy answers (no job service configured here).
    http.get()
        .uri("/console/api/orchestrator/jobs")
        .header("Authorization", "Bearer " + reader)
        .exchange()
        .expectStatus()
        .isEqualTo(503);
  }

  private CoreServiceBlockingStub core(String token) {
    return withToken(CoreServiceGrpc.newBlockingStub(channel), token);
  }

  private RegistryExtServiceBlockingStub ext(String token) {
    return withToken(RegistryExtServiceGrpc.newBlockingStub(channel), token);
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S withToken(S stub, String token) {
    S bounded = stub.withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (token == null) {
      return bounded;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return bounded.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
