package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.kafkaSource;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueName;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.larder.proto.core.CoreServiceProto.ApplyEntityResponse;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectResponse;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectResponse;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.GetEntityResponse;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionResponse;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeaturesResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import io.larder.proto.core.CoreServiceProto.ListStoresResponse;
import io.larder.proto.core.CoreServiceProto.UpdateStoreResponse;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.StoreProto.Store;
import io.larder.proto.core.StoreProto.Store.RedisConfig;
import io.larder.proto.core.StoreProto.Store.StoreType;
import io.larder.proto.core.StoreProto.Store.Subscription;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsResponse;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.registry.support.RegistryFixtures;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Pins the registry's HTTP/JSON API (base /api/v1): every route's happy path in the protobuf JSON
 * mapping, the problem+json error answers and their status codes, and that HTTP and gRPC see the
 * same registry.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class RegistryHttpIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** The request body limit of the contract (spring codec max-in-memory-size). */
  private static final int BODY_LIMIT = 4 * 1024 * 1024;

  /** Every route of RegistryRoutes, as the OpenAPI description must name it. */
  private static final List<String> ROUTES =
      List.of(
          "/api/v1/version",
          "/api/v1/me",
          "/api/v1/openapi.yaml",
          "/api/v1/projects",
          "/api/v1/projects/{project}/archive",
          "/api/v1/projects/{project}/entities",
          "/api/v1/projects/{project}/entities/{name}",
          "/api/v1/projects/{project}/feature-tables",
          "/api/v1/projects/{project}/feature-tables/{name}",
          "/api/v1/projects/{project}/feature-tables/{name}/revisions",
          "/api/v1/projects/{project}/features",
          "/api/v1/stores",
          "/api/v1/changes");

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  @LocalServerPort int port;
  @Autowired GrpcServerLifecycle grpcServer;

  private WebTestClient http;
  private GrpcClients grpc;

  @BeforeEach
  void connect() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(TIMEOUT)
            // Answers echo request bodies of up to 4 MB; the client's own default limit is 256 KB.
            .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * BODY_LIMIT))
            .build();
    grpc = GrpcClients.connect(grpcServer.port());
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    grpc.close();
  }

  // ---------------------------------------------------------------- version, description

  @Test
  void versionAnswersTheSameVersionAsGrpc() {
    GetFeastCoreVersionResponse version =
        get("/api/v1/version", GetFeastCoreVersionResponse.getDefaultInstance());

    assertThat(version.getVersion())
        .isNotBlank()
        .isEqualTo(
            grpc.core()
                .getFeastCoreVersion(GetFeastCoreVersionRequest.getDefaultInstance())
                .getVersion());
  }

  @Test
  void openApiDescriptionIsServedAndNamesEveryRoute() {
    EntityExchangeResult<String> result = send(HttpMethod.GET, "/api/v1/openapi.yaml", null);

    assertThat(result.getStatus().value()).as("status").isEqualTo(200);
    assertThat(result.getResponseBody()).startsWith("openapi: 3.0.3");
    for (String route : ROUTES) {
      assertThat(result.getResponseBody()).as("documents %s", route).contains("\n  " + route + ":");
    }
  }

  @Test
  void meAnswersAnonymousAdminOfEveryProjectWithAuthenticationOff() {
    http.get()
        .uri("/api/v1/me")
        .exchange()
        .expectStatus()
        .isOk()
        .expectHeader()
        .contentType(MediaType.APPLICATION_JSON)
        .expectBody()
        .json("{\"subject\":\"anonymous\",\"authentication\":false,\"roles\":{\"*\":\"admin\"}}");
  }

  // ---------------------------------------------------------------- projects

  @Test
  void createProjectAnswers201AndTheProjectIsListedOverHttpAndGrpc() {
    String project = uniqueProject();

    EntityExchangeResult<String> created =
        send(
            HttpMethod.POST,
            "/api/v1/projects",
            json(CreateProjectRequest.newBuilder().setName(project)));

    assertThat(parse(jsonBody(created, 201), CreateProjectResponse.getDefaultInstance()))
        .isEqualTo(CreateProjectResponse.getDefaultInstance());
    assertThat(listProjects()).contains(project);
    assertThat(grpc.core().listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList())
        .contains(project);
  }

  @Test
  void archiveProjectHidesItFromListProjectsAndArchivingAgainIsANoOp() {
    String project = createProject();

    ArchiveProjectResponse archived =
        parse(
            jsonBody(send(HttpMethod.POST, projectPath(project) + "/archive", null), 200),
            ArchiveProjectResponse.getDefaultInstance());

    assertThat(archived).isEqualTo(ArchiveProjectResponse.getDefaultInstance());
    assertThat(listProjects()).doesNotContain(project);
    jsonBody(send(HttpMethod.POST, projectPath(project) + "/archive", null), 200);
  }

  @Test
  void createProjectThatExistsAnswers409AlreadyExists() {
    String project = createProject();

    problem(
        send(
            HttpMethod.POST,
            "/api/v1/projects",
            json(CreateProjectRequest.newBuilder().setName(project))),
        409,
        "ALREADY_EXISTS",
        project);
  }

  @Test
  void createProjectWithAnInvalidNameAnswers400NamingTheField() {
    problem(
        send(
            HttpMethod.POST,
            "/api/v1/projects",
            json(CreateProjectRequest.newBuilder().setName("Not Valid"))),
        400,
        "INVALID_ARGUMENT",
        "name",
        "Not Valid");
  }

  @Test
  void archiveUnknownProjectAnswers404() {
    String project = uniqueProject();

    problem(
        send(HttpMethod.POST, projectPath(project) + "/archive", null), 404, "NOT_FOUND", project);
  }

  // ---------------------------------------------------------------- entities

  @Test
  void applyEntityCreatesTheProjectAndAnswersTheEntityWithTimestamps() {
    String project = uniqueProject();
    EntitySpecV2 spec = labelled(entity("driver", ValueType.Enum.INT64), "team", "rides");

    Entity applied = applyEntity(project, spec);

    assertThat(applied.getSpec()).isEqualTo(spec);
    assertThat(applied.getMeta().hasCreatedTimestamp()).isTrue();
    assertThat(applied.getMeta().getLastUpdatedTimestamp())
        .isEqualTo(applied.getMeta().getCreatedTimestamp());
    assertThat(listProjects()).contains(project);
  }

  @Test
  void reApplyingAnIdenticalEntityAnswersItUnchanged() {
    String project = uniqueProject();
    EntitySpecV2 spec = entity("driver", ValueType.Enum.INT64);
    Entity first = applyEntity(project, spec);

    assertThat(applyEntity(project, spec)).isEqualTo(first);
  }

  @Test
  void applyEntityAcceptsProtoFieldNamesAndEnumNamesInHandWrittenJson() {
    String project = uniqueProject();
    String body =
        "{\"name\": \"driver\", \"value_type\": \"INT64\", \"labels\": {\"team\": \"rides\"}}";

    Entity applied =
        parse(
                jsonBody(send(HttpMethod.PUT, entitiesPath(project), body), 200),
                ApplyEntityResponse.getDefaultInstance())
            .getEntity();

    assertThat(applied.getSpec())
        .isEqualTo(
            EntitySpecV2.newBuilder()
                .setName("driver")
                .setValueType(ValueType.Enum.INT64)
                .putLabels("team", "rides")
                .build());
  }

  @Test
  void getEntityAnswersWhatApplyAnswered() {
    String project = uniqueProject();
    Entity applied = applyEntity(project, entity("driver", ValueType.Enum.STRING));

    GetEntityResponse got =
        get(entitiesPath(project) + "/driver", GetEntityResponse.getDefaultInstance());

    assertThat(got.getEntity()).isEqualTo(applied);
  }

  @Test
  void listEntitiesAnswersThemSortedByNameAndFiltersByEveryLabelParameter() {
    String project = uniqueProject();
    Entity rider =
        applyEntity(project, labelled(entity("rider", ValueType.Enum.STRING), "team", "rides"));
    Entity driver =
        applyEntity(
            project,
            labelled(entity("driver", ValueType.Enum.INT64), "team", "rides", "tier", "gold"));
    Entity merchant = applyEntity(project, entity("merchant", ValueType.Enum.STRING));

    assertThat(listEntities(project, "")).containsExactly(driver, merchant, rider);
    assertThat(listEntities(project, "?label=team:rides")).containsExactly(driver, rider);
    assertThat(listEntities(project, "?label=team:rides&label=tier:gold")).containsExactly(driver);
    assertThat(listEntities(project, "?label=team:other")).isEmpty();
  }

  @Test
  void invalidEntityAnswers400ProblemNamingTheField() {
    String project = uniqueProject();

    Struct badName =
        problem(
            send(
                HttpMethod.PUT,
                entitiesPath(project),
                json(entity("Driver", ValueType.Enum.INT64))),
            400,
            "INVALID_ARGUMENT",
            "spec.name",
            "Driver");
    assertThat(badName.getFieldsOrThrow("title").getStringValue()).isEqualTo("Bad Request");

    problem(
        send(HttpMethod.PUT, entitiesPath(project), json(entity("driver", ValueType.Enum.INVALID))),
        400,
        "INVALID_ARGUMENT",
        "spec.value_type");
    problem(
        send(
            HttpMethod.PUT,
            entitiesPath(project),
            json(entity("event_timestamp", ValueType.Enum.INT64))),
        400,
        "INVALID_ARGUMENT",
        "spec.name",
        "reserved");
    assertThat(listProjects()).as("a refused apply creates no project").doesNotContain(project);
  }

  @Test
  void unknownEntityAnswers404NamingEntityAndProject() {
    String project = createProject();

    problem(
        send(HttpMethod.GET, entitiesPath(project) + "/nobody", null),
        404,
        "NOT_FOUND",
        "nobody",
        project);
  }

  @Test
  void entityAppliedOverHttpIsReturnedIdenticallyByGrpcGetEntity() {
    String project = uniqueProject();
    EntitySpecV2 spec =
        labelled(entity("driver", ValueType.Enum.INT64_LIST), "team", "rides", "pii", "no");

    Entity overHttp = applyEntity(project, spec);
    Entity overGrpc =
        grpc.core().getEntity(RegistryFixtures.getEntity(project, "driver")).getEntity();

    assertThat(overGrpc).isEqualTo(overHttp);
  }

  // ---------------------------------------------------------------- feature tables

  @Test
  void applyFeatureTableAnswersRevisionOneWithHashInTheProtobufJsonMapping() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTableSpec spec =
        table(
                "driver_stats",
                "driver",
                feature("trips", ValueType.Enum.INT64),
                feature("rating", ValueType.Enum.DOUBLE))
            .toBuilder()
            .putLabels("team", "rides")
            .setStreamSource(kafkaSource("driver_stats"))
            .build();

    EntityExchangeResult<String> result = send(HttpMethod.PUT, tablesPath(project), json(spec));
    String body = jsonBody(result, 200);
    FeatureTable applied = parse(body, ApplyFeatureTableResponse.getDefaultInstance()).getTable();

    assertThat(applied.getSpec()).isEqualTo(spec);
    assertThat(applied.getMeta().getRevision()).isEqualTo(1L);
    assertThat(applied.getMeta().getHash()).matches("[0-9a-f]{64}");
    assertThat(applied.getMeta().getLastUpdatedTimestamp())
        .isEqualTo(applied.getMeta().getCreatedTimestamp());
    // int64 as a string, Duration as "3600s", enums by name, lowerCamelCase names.
    assertThat(body)
        .containsPattern("\"revision\":\\s*\"1\"")
        .containsPattern("\"maxAge\":\\s*\"3600s\"")
        .containsPattern("\"type\":\\s*\"STREAM_KAFKA\"")
        .containsPattern("\"bootstrapServers\":\\s*\"127.0.0.1:9092\"")
        .containsPattern("\"createdTimestamp\":\\s*\"\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z\"");
  }

  @Test
  void getFeatureTableAnswersWhatApplyAnswered() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTable applied =
        applyTable(
            project, table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)));

    GetFeatureTableResponse got =
        get(tablesPath(project) + "/driver_stats", GetFeatureTableResponse.getDefaultInstance());

    assertThat(got.getTable()).isEqualTo(applied);
  }

  @Test
  void listFeatureTablesAnswersThemSortedByNameAndFiltersByLabel() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTable trips =
        applyTable(
            project,
            table("trips", "driver", feature("count", ValueType.Enum.INT64)).toBuilder()
                .putLabels("team", "rides")
                .build());
    FeatureTable ratings =
        applyTable(project, table("ratings", "driver", feature("avg", ValueType.Enum.DOUBLE)));

    assertThat(listTables(project, "")).containsExactly(ratings, trips);
    assertThat(listTables(project, "?label=team:rides")).containsExactly(trips);
    assertThat(listTables(project, "?label=team:rides&label=tier:gold")).isEmpty();
  }

  @Test
  void changedSpecGetsANewRevisionAndRevisionsListsEverySpecOldestFirst() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTableSpec first =
        table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64));
    FeatureTableSpec second =
        first.toBuilder()
            .setMaxAge(com.google.protobuf.Duration.newBuilder().setSeconds(7200))
            .build();

    FeatureTable one = applyTable(project, first);
    FeatureTable two = applyTable(project, second);
    ListFeatureTableRevisionsResponse revisions =
        get(
            tablesPath(project) + "/driver_stats/revisions",
            ListFeatureTableRevisionsResponse.getDefaultInstance());

    assertThat(two.getMeta().getRevision()).isEqualTo(2L);
    assertThat(two.getMeta().getHash()).isNotEqualTo(one.getMeta().getHash());
    assertThat(revisions.getRevisionsList())
        .extracting(table -> table.getMeta().getRevision(), FeatureTable::getSpec)
        .containsExactly(tuple(1L, first), tuple(2L, second));
  }

  @Test
  void deleteFeatureTableAnswers200ThenTheTableIs404ButItsRevisionsRemain() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    applyTable(project, table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)));

    DeleteFeatureTableResponse deleted =
        parse(
            jsonBody(send(HttpMethod.DELETE, tablesPath(project) + "/driver_stats", null), 200),
            DeleteFeatureTableResponse.getDefaultInstance());

    assertThat(deleted).isEqualTo(DeleteFeatureTableResponse.getDefaultInstance());
    problem(
        send(HttpMethod.GET, tablesPath(project) + "/driver_stats", null),
        404,
        "NOT_FOUND",
        "driver_stats",
        project);
    assertThat(
            get(
                    tablesPath(project) + "/driver_stats/revisions",
                    ListFeatureTableRevisionsResponse.getDefaultInstance())
                .getRevisionsCount())
        .isEqualTo(1);
  }

  @Test
  void unknownFeatureTableAnswers404OnGetDeleteAndRevisions() {
    String project = createProject();
    String path = tablesPath(project) + "/nothing";

    problem(send(HttpMethod.GET, path, null), 404, "NOT_FOUND", "nothing", project);
    problem(send(HttpMethod.DELETE, path, null), 404, "NOT_FOUND", "nothing", project);
    problem(send(HttpMethod.GET, path + "/revisions", null), 404, "NOT_FOUND", "nothing");
  }

  @Test
  void invalidFeatureTableAnswers400ProblemNamingTheField() {
    String project = uniqueProject();
    FeatureTableSpec duplicated =
        table(
            "driver_stats",
            "driver",
            feature("trips", ValueType.Enum.INT64),
            feature("trips", ValueType.Enum.DOUBLE));
    FeatureTableSpec noBatchSource =
        table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)).toBuilder()
            .clearBatchSource()
            .build();

    problem(
        send(HttpMethod.PUT, tablesPath(project), json(duplicated)),
        400,
        "INVALID_ARGUMENT",
        "table_spec.features[1].name",
        "'trips' is duplicated");
    problem(
        send(HttpMethod.PUT, tablesPath(project), json(noBatchSource)),
        400,
        "INVALID_ARGUMENT",
        "table_spec.batch_source");
  }

  @Test
  void jsonStreamTableWithoutMessageFormatIsStoredWithThePlaceholderAndReApplyingIsANoOp() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTableSpec spec = jsonStreamTable(kafkaSource("driver_stats"));

    String body = jsonBody(send(HttpMethod.PUT, tablesPath(project), json(spec)), 200);
    FeatureTable first = parse(body, ApplyFeatureTableResponse.getDefaultInstance()).getTable();
    FeatureTable again = applyTable(project, spec);

    assertThat(body)
        .containsPattern("\"larder.io/stream-format\":\\s*\"json\"")
        .containsPattern(
            "\"messageFormat\":\\s*\\{\\s*\"protoFormat\":\\s*\\{\\s*\"classPath\":\\s*\"json\"");
    assertThat(first.getMeta().getRevision()).isEqualTo(1L);
    assertThat(again).isEqualTo(first);
    assertThat(
            grpc.core()
                .getFeatureTable(RegistryFixtures.getTable(project, "driver_stats"))
                .getTable())
        .isEqualTo(first);
  }

  @Test
  void badOrContradictedStreamFormatLabelAnswers400NamingTheLabel() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTableSpec xml =
        jsonStreamTable(kafkaSource("driver_stats")).toBuilder()
            .putLabels("larder.io/stream-format", "xml")
            .build();
    // kafkaSource has proto records.
    FeatureTableSpec avroOnProto =
        table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)).toBuilder()
            .putLabels("larder.io/stream-format", "avro")
            .setStreamSource(kafkaSource("driver_stats"))
            .build();

    problem(
        send(HttpMethod.PUT, tablesPath(project), json(xml)),
        400,
        "INVALID_ARGUMENT",
        "table_spec.labels[larder.io/stream-format]",
        "json, avro, protobuf",
        "'xml'");
    problem(
        send(HttpMethod.PUT, tablesPath(project), json(avroOnProto)),
        400,
        "INVALID_ARGUMENT",
        "table_spec.labels[larder.io/stream-format]",
        "kafka_options.message_format");
    assertThat(listTables(project, "")).isEmpty();
  }

  @Test
  void featureTableOnAnUnregisteredEntityAnswers400InvalidArgumentAsFeastDoes() {
    String project = createProject();

    problem(
        send(
            HttpMethod.PUT,
            tablesPath(project),
            json(table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)))),
        400,
        "INVALID_ARGUMENT",
        "table_spec.entities",
        "driver");
  }

  @Test
  void listFeaturesKeysTableColonFeatureAndFiltersByEntitySetAndFeatureLabels() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    applyEntity(project, entity("rider", ValueType.Enum.INT64));
    applyTable(
        project,
        table(
            "driver_stats",
            "driver",
            feature("trips", ValueType.Enum.INT64).toBuilder().putLabels("tier", "gold").build(),
            feature("rating", ValueType.Enum.DOUBLE)));
    applyTable(
        project,
        table("pairs", List.of("driver", "rider"), feature("shared_trips", ValueType.Enum.INT64)));

    assertThat(listFeatures(project, ""))
        .containsOnlyKeys("driver_stats:trips", "driver_stats:rating", "pairs:shared_trips");
    assertThat(listFeatures(project, "?entity=driver"))
        .containsOnlyKeys("driver_stats:trips", "driver_stats:rating");
    assertThat(listFeatures(project, "?entity=rider&entity=driver"))
        .containsOnlyKeys("pairs:shared_trips");
    assertThat(listFeatures(project, "?entity=rider")).isEmpty();
    assertThat(listFeatures(project, "?label=tier:gold")).containsOnlyKeys("driver_stats:trips");
    assertThat(listFeatures(project, "?entity=driver&label=tier:gold").get("driver_stats:trips"))
        .isEqualTo(
            feature("trips", ValueType.Enum.INT64).toBuilder().putLabels("tier", "gold").build());
  }

  @Test
  void featureTableAppliedOverGrpcIsReturnedIdenticallyOverHttp() {
    String project = uniqueProject();
    grpc.apply(project, entity("driver", ValueType.Enum.INT64));
    FeatureTable overGrpc =
        grpc.apply(
            project, table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)));

    assertThat(
            get(tablesPath(project) + "/driver_stats", GetFeatureTableResponse.getDefaultInstance())
                .getTable())
        .isEqualTo(overGrpc);
  }

  // ---------------------------------------------------------------- archived projects

  @Test
  void writesIntoAnArchivedProjectAnswer400InvalidArgumentAsFeastDoes() {
    String project = uniqueProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));
    FeatureTableSpec spec = table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64));
    applyTable(project, spec);
    jsonBody(send(HttpMethod.POST, projectPath(project) + "/archive", null), 200);

    problem(
        send(HttpMethod.PUT, entitiesPath(project), json(entity("rider", ValueType.Enum.INT64))),
        400,
        "INVALID_ARGUMENT",
        project,
        "archived");
    problem(
        send(
            HttpMethod.PUT, tablesPath(project), json(spec.toBuilder().putLabels("team", "rides"))),
        400,
        "INVALID_ARGUMENT",
        project,
        "archived");
    problem(
        send(HttpMethod.DELETE, tablesPath(project) + "/driver_stats", null),
        400,
        "INVALID_ARGUMENT",
        project,
        "archived");
  }

  // ---------------------------------------------------------------- stores

  @Test
  void updateStoreAnswersUpdatedThenNoChangeAndListStoresFindsIt() {
    String name = uniqueName("store");
    Store store =
        Store.newBuilder()
            .setName(name)
            .setType(StoreType.REDIS)
            .setRedisConfig(RedisConfig.newBuilder().setHost("127.0.0.1").setPort(6379))
            .addSubscriptions(Subscription.newBuilder().setProject("*").setName("*"))
            .build();

    UpdateStoreResponse first =
        put("/api/v1/stores", store, UpdateStoreResponse.getDefaultInstance());
    UpdateStoreResponse second =
        put("/api/v1/stores", store, UpdateStoreResponse.getDefaultInstance());

    assertThat(first.getStatus()).isEqualTo(UpdateStoreResponse.Status.UPDATED);
    assertThat(first.getStore()).isEqualTo(store);
    assertThat(second.getStatus()).isEqualTo(UpdateStoreResponse.Status.NO_CHANGE);
    assertThat(
            get("/api/v1/stores?name=" + name, ListStoresResponse.getDefaultInstance())
                .getStoreList())
        .containsExactly(store);
    assertThat(get("/api/v1/stores", ListStoresResponse.getDefaultInstance()).getStoreList())
        .contains(store);
  }

  @Test
  void unknownStoreAnswers404AndInvalidStoreAnswers400() {
    String name = uniqueName("store");

    problem(send(HttpMethod.GET, "/api/v1/stores?name=" + name, null), 404, "NOT_FOUND", name);
    problem(
        send(HttpMethod.PUT, "/api/v1/stores", json(Store.newBuilder().setName(name))),
        400,
        "INVALID_ARGUMENT",
        "store.type");
  }

  // ---------------------------------------------------------------- changes

  @Test
  void listChangesAnswersTheChangesAfterSinceAscendingAndHonoursLimit() {
    long before =
        get("/api/v1/changes?limit=1", ListChangesResponse.getDefaultInstance())
            .getLatestSequence();
    String project = createProject();
    applyEntity(project, entity("driver", ValueType.Enum.INT64));

    ListChangesResponse after =
        get(
            "/api/v1/changes?since=" + before + "&limit=1000",
            ListChangesResponse.getDefaultInstance());
    List<Change> mine =
        after.getChangesList().stream().filter(c -> c.getProject().equals(project)).toList();

    assertThat(mine)
        .extracting(Change::getKind, Change::getAction, Change::getName)
        .containsExactly(
            tuple(Change.Kind.PROJECT, Change.Action.APPLIED, project),
            tuple(Change.Kind.ENTITY, Change.Action.APPLIED, "driver"));
    assertThat(after.getChangesList())
        .extracting(Change::getSequence)
        .isSorted()
        .allSatisfy(sequence -> assertThat(sequence).isGreaterThan(before));
    assertThat(after.getLatestSequence()).isGreaterThanOrEqualTo(mine.get(1).getSequence());
    assertThat(
            get(
                    "/api/v1/changes?since=" + before + "&limit=1",
                    ListChangesResponse.getDefaultInstance())
                .getChangesList())
        .hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"since=abc", "limit=ten", "since=-1", "limit=-1"})
  void malformedOrNegativeChangesParameterAnswers400NamingIt(String query) {
    String parameter = query.substring(0, query.indexOf('='));

    problem(
        send(HttpMethod.GET, "/api/v1/changes?" + query, null), 400, "INVALID_ARGUMENT", parameter);
  }

  // ---------------------------------------------------------------- malformed requests

  @ParameterizedTest
  @ValueSource(strings = {"entities", "feature-tables", "features"})
  void labelParameterWithoutKeyColonValueAnswers400(String route) {
    String project = uniqueProject();

    for (String label : List.of("team", ":rides")) {
      problem(
          send(HttpMethod.GET, projectPath(project) + "/" + route + "?label=" + label, null),
          400,
          "INVALID_ARGUMENT",
          "label",
          "'" + label + "'");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":",
        "not json",
        "[]",
        "{\"name\": \"driver\", \"valueType\": \"NO_SUCH_TYPE\"}"
      })
  void malformedJsonBodyAnswers400(String body) {
    String project = uniqueProject();

    problem(
        send(HttpMethod.PUT, entitiesPath(project), body), 400, "INVALID_ARGUMENT", "request body");
  }

  @Test
  void unknownJsonFieldAnswers400NamingIt() {
    String project = uniqueProject();
    String body = "{\"name\": \"driver\", \"valueType\": \"INT64\", \"colour\": \"red\"}";

    problem(
        send(HttpMethod.PUT, entitiesPath(project), body),
        400,
        "INVALID_ARGUMENT",
        "request body",
        "colour");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "PUT /api/v1/projects/{project}/entities",
        "PUT /api/v1/projects/{project}/feature-tables",
        "PUT /api/v1/stores",
        "POST /api/v1/projects"
      })
  void emptyBodyAnswers400(String route) {
    String[] methodAndPath = route.split(" ");
    String path = methodAndPath[1].replace("{project}", uniqueProject());

    problem(
        send(HttpMethod.valueOf(methodAndPath[0]), path, null),
        400,
        "INVALID_ARGUMENT",
        "request body");
  }

  @Test
  void bodyLargerThanFourMegabytesAnswers413() {
    String project = uniqueProject();
    EntitySpecV2 huge =
        entity("driver", ValueType.Enum.INT64).toBuilder()
            .setDescription("x".repeat(BODY_LIMIT + 64 * 1024))
            .build();

    problem(send(HttpMethod.PUT, entitiesPath(project), json(huge)), 413, "RESOURCE_EXHAUSTED");
    assertThat(listProjects()).as("nothing was applied").doesNotContain(project);
  }

  @Test
  void bodyOfOneMegabyteIsBelowTheLimitAndAccepted() {
    String project = uniqueProject();
    EntitySpecV2 large =
        entity("driver", ValueType.Enum.INT64).toBuilder()
            .setDescription("x".repeat(1024 * 1024))
            .build();

    assertThat(applyEntity(project, large).getSpec()).isEqualTo(large);
  }

  // ---------------------------------------------------------------- helpers

  private static String projectPath(String project) {
    return "/api/v1/projects/" + project;
  }

  private static String entitiesPath(String project) {
    return projectPath(project) + "/entities";
  }

  private static String tablesPath(String project) {
    return projectPath(project) + "/feature-tables";
  }

  /** driver_stats labelled as a JSON stream, with {@code stream} minus its message_format. */
  private static FeatureTableSpec jsonStreamTable(DataSource stream) {
    return table("driver_stats", "driver", feature("trips", ValueType.Enum.INT64)).toBuilder()
        .putLabels("larder.io/stream-format", "json")
        .setStreamSource(
            stream.toBuilder()
                .setKafkaOptions(stream.getKafkaOptions().toBuilder().clearMessageFormat()))
        .build();
  }

  /** {@code spec} with the labels {@code key1, value1, key2, value2, ...} added. */
  private static EntitySpecV2 labelled(EntitySpecV2 spec, String... keysAndValues) {
    EntitySpecV2.Builder labelled = spec.toBuilder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      labelled.putLabels(keysAndValues[i], keysAndValues[i + 1]);
    }
    return labelled.build();
  }

  /** Creates a fresh project over HTTP and answers its name. */
  private String createProject() {
    String project = uniqueProject();
    jsonBody(
        send(
            HttpMethod.POST,
            "/api/v1/projects",
            json(CreateProjectRequest.newBuilder().setName(project))),
        201);
    return project;
  }

  private List<String> listProjects() {
    return get("/api/v1/projects", ListProjectsResponse.getDefaultInstance()).getProjectsList();
  }

  private Entity applyEntity(String project, EntitySpecV2 spec) {
    return put(entitiesPath(project), spec, ApplyEntityResponse.getDefaultInstance()).getEntity();
  }

  private FeatureTable applyTable(String project, FeatureTableSpec spec) {
    return put(tablesPath(project), spec, ApplyFeatureTableResponse.getDefaultInstance())
        .getTable();
  }

  private List<Entity> listEntities(String project, String query) {
    return get(entitiesPath(project) + query, ListEntitiesResponse.getDefaultInstance())
        .getEntitiesList();
  }

  private List<FeatureTable> listTables(String project, String query) {
    return get(tablesPath(project) + query, ListFeatureTablesResponse.getDefaultInstance())
        .getTablesList();
  }

  private Map<String, FeatureSpecV2> listFeatures(String project, String query) {
    return get(
            projectPath(project) + "/features" + query, ListFeaturesResponse.getDefaultInstance())
        .getFeaturesMap();
  }

  /** GET that must answer 200 with a JSON body of {@code type}'s message. */
  private <T extends Message> T get(String uri, T type) {
    return parse(jsonBody(send(HttpMethod.GET, uri, null), 200), type);
  }

  /**
   * PUT of {@code body} as JSON that must answer 200 with a JSON body of {@code type}'s message.
   */
  private <T extends Message> T put(String uri, MessageOrBuilder body, T type) {
    return parse(jsonBody(send(HttpMethod.PUT, uri, json(body)), 200), type);
  }

  /** One exchange; a null {@code json} sends no body at all. */
  private EntityExchangeResult<String> send(HttpMethod method, String uri, String json) {
    WebTestClient.RequestBodySpec request = http.method(method).uri(uri);
    WebTestClient.RequestHeadersSpec<?> ready;
    if (json == null) {
      ready = request;
    } else {
      ready = request.contentType(MediaType.APPLICATION_JSON).bodyValue(json);
    }
    return ready.exchange().expectBody(String.class).returnResult();
  }

  /** Asserts status and a JSON content type; answers the body. */
  private static String jsonBody(EntityExchangeResult<String> result, int status) {
    assertThat(result.getStatus().value())
        .as("status of %s %s (body: %s)", result.getMethod(), result.getUrl(), abbreviated(result))
        .isEqualTo(status);
    MediaType type = result.getResponseHeaders().getContentType();
    assertThat(type).as("content type").isNotNull();
    assertThat(type.isCompatibleWith(MediaType.APPLICATION_JSON)).as("%s is JSON", type).isTrue();
    assertThat(result.getResponseBody()).as("body").isNotNull();
    return result.getResponseBody();
  }

  /**
   * Asserts an application/problem+json answer {type, title, status, detail, code} with the given
   * status and gRPC code whose detail contains every one of {@code detailFragments}.
   */
  private static Struct problem(
      EntityExchangeResult<String> result, int status, String code, String... detailFragments) {
    assertThat(result.getStatus().value())
        .as("status of %s %s (body: %s)", result.getMethod(), result.getUrl(), abbreviated(result))
        .isEqualTo(status);
    MediaType type = result.getResponseHeaders().getContentType();
    assertThat(type).as("content type").isNotNull();
    assertThat(type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .as("%s is problem+json", type)
        .isTrue();
    Struct problem = parse(result.getResponseBody(), Struct.getDefaultInstance());
    assertThat(problem.getFieldsOrThrow("type").getStringValue()).isEqualTo("about:blank");
    assertThat(problem.getFieldsOrThrow("title").getStringValue()).isNotBlank();
    assertThat(problem.getFieldsOrThrow("status").getNumberValue()).isEqualTo((double) status);
    assertThat(problem.getFieldsOrThrow("code").getStringValue()).isEqualTo(code);
    String detail = problem.getFieldsOrThrow("detail").getStringValue();
    assertThat(detail).isNotBlank();
    if (detailFragments.length > 0) {
      assertThat(detail).contains(detailFragments);
    }
    return problem;
  }

  private static String abbreviated(EntityExchangeResult<String> result) {
    String body = result.getResponseBody();
    return body == null || body.length() <= 2000 ? body : body.substring(0, 2000) + "...";
  }

  private static String json(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T parse(String json, T type) {
    Message.Builder builder = type.newBuilderForType();
    try {
      PARSER.merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(
          "not a " + type.getDescriptorForType().getFullName() + " in JSON: " + json, e);
    }
    return (T) builder.build();
  }
}
