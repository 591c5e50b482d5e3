package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.EVENT_TIMESTAMP;
import static io.larder.registry.support.RegistryFixtures.assertStatus;
import static io.larder.registry.support.RegistryFixtures.changesOf;
import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.fileSource;
import static io.larder.registry.support.RegistryFixtures.getEntity;
import static io.larder.registry.support.RegistryFixtures.getTable;
import static io.larder.registry.support.RegistryFixtures.instant;
import static io.larder.registry.support.RegistryFixtures.kafkaSource;
import static io.larder.registry.support.RegistryFixtures.latestSequence;
import static io.larder.registry.support.RegistryFixtures.suffix;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueName;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import io.grpc.Status.Code;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeaturesRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListStoresRequest;
import io.larder.proto.core.CoreServiceProto.UpdateStoreRequest;
import io.larder.proto.core.CoreServiceProto.UpdateStoreResponse;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat.AvroFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat.ProtoFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.BigQueryOptions;
import io.larder.proto.core.DataSourceProto.DataSource.KinesisOptions;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.StoreProto.Store;
import io.larder.proto.core.StoreProto.Store.RedisClusterConfig;
import io.larder.proto.core.StoreProto.Store.RedisConfig;
import io.larder.proto.core.StoreProto.Store.StoreType;
import io.larder.proto.core.StoreProto.Store.Subscription;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Pins every CoreService RPC of the registry contract: happy paths, validation, status codes. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class CoreServiceIT {

  /** The entity every table of {@link #invalidTableSpecs()} and friends is keyed by. */
  private static final String DRIVER = "driver";

  /** The table label that declares the stream source's message encoding. */
  private static final String STREAM_FORMAT = "larder.io/stream-format";

  private static final List<String> RESERVED =
      List.of("event_timestamp", "created_timestamp", "datetime", "ingestion_id", "job_id");

  @Autowired GrpcServerLifecycle grpcServer;

  private GrpcClients clients;

  @BeforeEach
  void connect() {
    clients = GrpcClients.connect(grpcServer.port());
  }

  @AfterEach
  void disconnect() {
    clients.close();
  }

  // ---------------------------------------------------------------- version

  @Test
  void answersItsVersion() {
    assertThat(
            clients
                .core()
                .getFeastCoreVersion(GetFeastCoreVersionRequest.getDefaultInstance())
                .getVersion())
        .isNotBlank();
  }

  // ---------------------------------------------------------------- projects

  @Test
  void emptyProjectInARequestMeansTheDefaultProject() {
    String entityName = uniqueName("e");
    Entity entity = clients.apply("", entity(entityName, ValueType.Enum.STRING));

    assertThat(clients.core().getEntity(getEntity("default", entityName)).getEntity())
        .isEqualTo(entity);
    assertThat(clients.core().getEntity(getEntity("", entityName)).getEntity()).isEqualTo(entity);
    assertThat(entityNames("", Map.of())).contains(entityName);
    assertThat(entityNames("default", Map.of())).contains(entityName);

    String tableName = uniqueName("t");
    FeatureTable table =
        clients.apply("", table(tableName, entityName, feature("f1", ValueType.Enum.INT64)));
    assertThat(clients.core().getFeatureTable(getTable("default", tableName)).getTable())
        .isEqualTo(table);
    assertThat(tableNames("default", Map.of())).contains(tableName);
    assertThat(featureKeys("", List.of(entityName), Map.of())).containsExactly(tableName + ":f1");

    clients
        .core()
        .deleteFeatureTable(DeleteFeatureTableRequest.newBuilder().setName(tableName).build());
    assertStatus(
        () -> clients.core().getFeatureTable(getTable("default", tableName)),
        Code.NOT_FOUND,
        tableName);
  }

  @Test
  void theDefaultProjectAlwaysExists() {
    assertThat(projects()).contains("default");
  }

  @Test
  void createdProjectsAreListedSortedByName() {
    String suffix = suffix();
    String later = "p_b" + suffix;
    String earlier = "p_a" + suffix;
    createProject(later);
    createProject(earlier);

    assertThat(projects()).containsSubsequence("default", earlier, later);
  }

  @Test
  void projectNamesMayContainHyphensAfterTheFirstCharacter() {
    String project = "p-" + suffix();
    createProject(project);
    assertThat(projects()).contains(project);
    // Archived again so that listings stay free of hyphenated names (their sort order is
    // collation-dependent).
    archiveProject(project);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @MethodSource("invalidProjectNames")
  void creatingAProjectWithAnInvalidNameIsRefused(String name) {
    assertStatus(() -> createProject(name), Code.INVALID_ARGUMENT, name.isEmpty() ? "name" : name);
  }

  static Stream<String> invalidProjectNames() {
    return Stream.of("", "Upper", "1project", "-project", "p q", "p.q", "p/q", "p".repeat(65));
  }

  @Test
  void projectNamesOf64CharactersAreAccepted() {
    String project = ("p_" + suffix() + "_").concat("x".repeat(64)).substring(0, 64);
    createProject(project);
    assertThat(projects()).contains(project);
  }

  @Test
  void creatingAnExistingProjectFailsWithAlreadyExists() {
    String project = uniqueProject();
    createProject(project);
    assertStatus(() -> createProject(project), Code.ALREADY_EXISTS, project);
    assertStatus(() -> createProject("default"), Code.ALREADY_EXISTS, "default");
  }

  @Test
  void creatingAnArchivedProjectFailsWithAlreadyExists() {
    String project = uniqueProject();
    createProject(project);
    archiveProject(project);
    assertStatus(() -> createProject(project), Code.ALREADY_EXISTS, project);
  }

  @Test
  void archivedProjectsDisappearFromTheListingAndArchivingTwiceIsANoOp() {
    String project = uniqueProject();
    createProject(project);
    assertThat(projects()).contains(project);

    archiveProject(project);
    assertThat(projects()).doesNotContain(project);

    archiveProject(project);
    assertThat(projects()).doesNotContain(project);
  }

  @Test
  void archivingTheDefaultProjectFailsWithFailedPrecondition() {
    assertStatus(() -> archiveProject("default"), Code.FAILED_PRECONDITION, "default");
    assertThat(projects()).contains("default");
  }

  @Test
  void archivingAnUnknownProjectFailsWithNotFound() {
    String project = uniqueProject();
    assertStatus(() -> archiveProject(project), Code.NOT_FOUND, project);
  }

  @Test
  void writesIntoAnArchivedProjectAreRefusedWhileReadsStillWork() {
    String project = uniqueProject();
    Entity driver = clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    FeatureTableSpec spec = table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
    FeatureTable table = clients.apply(project, spec);
    archiveProject(project);

    assertStatus(
        () -> clients.apply(project, entity("customer", ValueType.Enum.STRING)),
        Code.INVALID_ARGUMENT,
        project);
    assertStatus(
        () -> clients.apply(project, spec.toBuilder().putLabels("team", "x").build()),
        Code.INVALID_ARGUMENT,
        project);
    assertStatus(
        () -> clients.apply(project, table("other", DRIVER, feature("f", ValueType.Enum.INT64))),
        Code.INVALID_ARGUMENT,
        project);
    assertStatus(() -> deleteTable(project, "trips"), Code.INVALID_ARGUMENT, project);

    assertThat(clients.core().getEntity(getEntity(project, DRIVER)).getEntity()).isEqualTo(driver);
    assertThat(entityNames(project, Map.of())).containsExactly(DRIVER);
    assertThat(clients.core().getFeatureTable(getTable(project, "trips")).getTable())
        .isEqualTo(table);
    assertThat(tableNames(project, Map.of())).containsExactly("trips");
    assertThat(featureKeys(project, List.of(), Map.of())).containsExactly("trips:trips");
  }

  @Test
  void applyingAnEntityCreatesAMissingProject() {
    String project = uniqueProject();
    assertThat(projects()).doesNotContain(project);
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    assertThat(projects()).contains(project);
  }

  @Test
  void applyingAnEntityIntoAProjectWithAnInvalidNameIsRefused() {
    String project = "Bad_" + suffix();
    assertStatus(
        () -> clients.apply(project, entity(DRIVER, ValueType.Enum.STRING)),
        Code.INVALID_ARGUMENT,
        project);
    assertThat(projects()).doesNotContain(project);
  }

  // ---------------------------------------------------------------- entities

  @Test
  void applyingANewEntityStoresItWithTimestamps() {
    String project = uniqueProject();
    EntitySpecV2 spec =
        entity(DRIVER, ValueType.Enum.INT64).toBuilder().putLabels("team", "rides").build();

    Entity applied = clients.apply(project, spec);

    assertThat(applied.getSpec()).isEqualTo(spec);
    assertThat(applied.getMeta().hasCreatedTimestamp()).isTrue();
    assertThat(applied.getMeta().hasLastUpdatedTimestamp()).isTrue();
    assertThat(instant(applied.getMeta().getLastUpdatedTimestamp()))
        .isAfterOrEqualTo(instant(applied.getMeta().getCreatedTimestamp()));
    assertThat(clients.core().getEntity(getEntity(project, DRIVER)).getEntity()).isEqualTo(applied);
  }

  @Test
  void reApplyingAnIdenticalEntityKeepsItsTimestampsAndRecordsNoChange() {
    String project = uniqueProject();
    EntitySpecV2 spec = entity(DRIVER, ValueType.Enum.INT64);
    Entity first = clients.apply(project, spec);
    long before = latestSequence(clients);

    Entity second = clients.apply(project, spec);

    assertThat(second).isEqualTo(first);
    assertThat(clients.core().getEntity(getEntity(project, DRIVER)).getEntity()).isEqualTo(first);
    assertThat(changesOf(clients, project, before)).isEmpty();
  }

  @Test
  void applyingAChangedEntityUpdatesItAndKeepsItsCreationTimestamp() {
    String project = uniqueProject();
    Entity first = clients.apply(project, entity(DRIVER, ValueType.Enum.INT64));
    EntitySpecV2 changed =
        entity(DRIVER, ValueType.Enum.INT64).toBuilder()
            .setDescription("someone who drives")
            .putLabels("team", "rides")
            .build();
    long before = latestSequence(clients);

    Entity second = clients.apply(project, changed);

    assertThat(second.getSpec()).isEqualTo(changed);
    assertThat(second.getMeta().getCreatedTimestamp())
        .isEqualTo(first.getMeta().getCreatedTimestamp());
    assertThat(instant(second.getMeta().getLastUpdatedTimestamp()))
        .isAfterOrEqualTo(instant(first.getMeta().getLastUpdatedTimestamp()));
    assertThat(clients.core().getEntity(getEntity(project, DRIVER)).getEntity()).isEqualTo(second);
    assertThat(changesOf(clients, project, before))
        .singleElement()
        .satisfies(
            change -> {
              assertThat(change.getKind()).isEqualTo(Change.Kind.ENTITY);
              assertThat(change.getAction()).isEqualTo(Change.Action.APPLIED);
              assertThat(change.getName()).isEqualTo(DRIVER);
            });
  }

  @Test
  void gettingAnEntityWithoutANameIsRefused() {
    assertStatus(
        () -> clients.core().getEntity(getEntity(uniqueProject(), "")),
        Code.INVALID_ARGUMENT,
        "name");
  }

  @Test
  void gettingAnUnknownEntityFailsWithNotFoundNamingEntityAndProject() {
    String project = uniqueProject();
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    assertStatus(
        () -> clients.core().getEntity(getEntity(project, "customer")),
        Code.NOT_FOUND,
        "customer",
        project);
  }

  @Test
  void entitiesAreListedSortedByNameAndMustCarryAllGivenLabels() {
    String project = uniqueProject();
    applyLabelledEntity(project, "gamma", Map.of("team", "a"));
    applyLabelledEntity(project, "alpha", Map.of("team", "a", "tier", "gold"));
    applyLabelledEntity(project, "beta", Map.of("team", "b", "tier", "gold"));

    assertThat(entityNames(project, Map.of())).containsExactly("alpha", "beta", "gamma");
    assertThat(entityNames(project, Map.of("team", "a"))).containsExactly("alpha", "gamma");
    assertThat(entityNames(project, Map.of("tier", "gold"))).containsExactly("alpha", "beta");
    assertThat(entityNames(project, Map.of("team", "a", "tier", "gold"))).containsExactly("alpha");
    assertThat(entityNames(project, Map.of("team", "c"))).isEmpty();
    assertThat(entityNames(project, Map.of("owner", "a"))).isEmpty();
  }

  @Test
  void entitiesOfOtherProjectsAreNotListed() {
    String project = uniqueProject();
    String other = uniqueProject();
    clients.apply(project, entity("alpha", ValueType.Enum.STRING));
    clients.apply(other, entity("beta", ValueType.Enum.STRING));

    assertThat(entityNames(project, Map.of())).containsExactly("alpha");
    assertThat(entityNames(other, Map.of())).containsExactly("beta");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @MethodSource("invalidEntityNames")
  void entitiesWithAnInvalidOrReservedNameAreRefused(String name) {
    String project = uniqueProject();
    assertStatus(
        () -> clients.apply(project, entity(name, ValueType.Enum.STRING)),
        Code.INVALID_ARGUMENT,
        name.isEmpty() ? "name" : name);
  }

  static Stream<String> invalidEntityNames() {
    return Stream.concat(
        Stream.of("", "Driver", "1driver", "driver-id", "driver id", "driver.id", "d".repeat(65)),
        RESERVED.stream());
  }

  @Test
  void entityNamesOf64CharactersAreAccepted() {
    String project = uniqueProject();
    String name = "d".repeat(64);
    assertThat(clients.apply(project, entity(name, ValueType.Enum.STRING)).getSpec().getName())
        .isEqualTo(name);
  }

  @Test
  void entitiesOfEveryKnownScalarAndListTypeAreAccepted() {
    String project = uniqueProject();
    List<ValueType.Enum> known = knownValueTypes();
    for (ValueType.Enum type : known) {
      String name = "e_" + type.name().toLowerCase();
      assertThat(clients.apply(project, entity(name, type)).getSpec().getValueType())
          .isEqualTo(type);
    }
    assertThat(entityNames(project, Map.of())).hasSize(known.size());
  }

  @Test
  void entitiesOfValueTypeInvalidAreRefused() {
    assertStatus(
        () -> clients.apply(uniqueProject(), entity(DRIVER, ValueType.Enum.INVALID)),
        Code.INVALID_ARGUMENT,
        "value_type");
  }

  @Test
  void entitiesOfAnUnknownValueTypeNumberAreRefused() {
    EntitySpecV2 spec =
        entity(DRIVER, ValueType.Enum.STRING).toBuilder().setValueTypeValue(99).build();
    assertStatus(() -> clients.apply(uniqueProject(), spec), Code.INVALID_ARGUMENT, "value_type");
  }

  @Test
  void theValueTypeOfAnEntityNoTableUsesMayChange() {
    String project = uniqueProject();
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));

    Entity changed = clients.apply(project, entity(DRIVER, ValueType.Enum.INT64));

    assertThat(changed.getSpec().getValueType()).isEqualTo(ValueType.Enum.INT64);
    assertThat(
            clients
                .core()
                .getEntity(getEntity(project, DRIVER))
                .getEntity()
                .getSpec()
                .getValueType())
        .isEqualTo(ValueType.Enum.INT64);
  }

  @Test
  void theValueTypeOfAnEntityATableUsesCannotChange() {
    String project = uniqueProject();
    Entity driver = clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    clients.apply(project, table("trips", DRIVER, feature("trips", ValueType.Enum.INT64)));

    assertStatus(
        () -> clients.apply(project, entity(DRIVER, ValueType.Enum.INT64)),
        Code.INVALID_ARGUMENT,
        DRIVER);
    assertThat(clients.core().getEntity(getEntity(project, DRIVER)).getEntity()).isEqualTo(driver);
  }

  @Test
  void anEntityATableUsesMayStillChangeItsDescriptionAndLabels() {
    String project = uniqueProject();
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    clients.apply(project, table("trips", DRIVER, feature("trips", ValueType.Enum.INT64)));
    EntitySpecV2 changed =
        entity(DRIVER, ValueType.Enum.STRING).toBuilder()
            .setDescription("changed")
            .putLabels("team", "rides")
            .build();

    assertThat(clients.apply(project, changed).getSpec()).isEqualTo(changed);
  }

  // ---------------------------------------------------------------- feature tables

  @Test
  void applyingANewTableStoresItAtRevisionOne() {
    String project = projectWithDriver();
    FeatureTableSpec spec =
        table(
            "driver_stats",
            DRIVER,
            feature("trips", ValueType.Enum.INT64),
            feature("rating", ValueType.Enum.DOUBLE));

    FeatureTable applied = clients.apply(project, spec);

    assertThat(applied.getSpec()).isEqualTo(spec);
    assertThat(applied.getMeta().getRevision()).isEqualTo(1);
    assertThat(applied.getMeta().getHash()).matches("[0-9a-f]{64}");
    assertThat(applied.getMeta().hasCreatedTimestamp()).isTrue();
    assertThat(applied.getMeta().hasLastUpdatedTimestamp()).isTrue();
    assertThat(clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable())
        .isEqualTo(applied);
  }

  @Test
  void theHashIsTheSha256OfTheDeterministicSpecBytes() throws Exception {
    String project = projectWithDriver();
    FeatureTableSpec spec =
        table("driver_stats", DRIVER, feature("trips", ValueType.Enum.INT64)).toBuilder()
            .putLabels("b", "2")
            .putLabels("a", "1")
            .build();

    FeatureTable applied = clients.apply(project, spec);

    assertThat(applied.getMeta().getHash()).isEqualTo(sha256(applied.getSpec()));
    assertThat(applied.getMeta().getHash()).isEqualTo(sha256(spec));
  }

  @Test
  void reApplyingAnIdenticalSpecKeepsRevisionHashAndTimestampsAndRecordsNoChange() {
    String project = projectWithDriver();
    FeatureTableSpec spec = table("driver_stats", DRIVER, feature("trips", ValueType.Enum.INT64));
    FeatureTable first = clients.apply(project, spec);
    long before = latestSequence(clients);

    FeatureTable second = clients.apply(project, spec);

    assertThat(second).isEqualTo(first);
    assertThat(clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable())
        .isEqualTo(first);
    assertThat(changesOf(clients, project, before)).isEmpty();
  }

  @Test
  void applyingAChangedSpecIncrementsTheRevisionAndChangesTheHash() {
    String project = projectWithDriver();
    FeatureTableSpec original =
        table("driver_stats", DRIVER, feature("trips", ValueType.Enum.INT64));
    FeatureTableSpec relabelled = original.toBuilder().putLabels("team", "rides").build();
    FeatureTable first = clients.apply(project, original);

    FeatureTable second = clients.apply(project, relabelled);

    assertThat(second.getSpec()).isEqualTo(relabelled);
    assertThat(second.getMeta().getRevision()).isEqualTo(2);
    assertThat(second.getMeta().getHash()).isNotEqualTo(first.getMeta().getHash());
    assertThat(second.getMeta().getCreatedTimestamp())
        .isEqualTo(first.getMeta().getCreatedTimestamp());
    assertThat(instant(second.getMeta().getLastUpdatedTimestamp()))
        .isAfterOrEqualTo(instant(first.getMeta().getLastUpdatedTimestamp()));

    FeatureTable third = clients.apply(project, original);

    assertThat(third.getMeta().getRevision()).isEqualTo(3);
    assertThat(third.getMeta().getHash()).isEqualTo(first.getMeta().getHash());
    assertThat(clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable())
        .isEqualTo(third);
  }

  @Test
  void addingAFeatureIsAnUpdate() {
    String project = projectWithDriver();
    FeatureTableSpec original =
        table("driver_stats", DRIVER, feature("trips", ValueType.Enum.INT64));
    clients.apply(project, original);
    FeatureTableSpec wider =
        original.toBuilder().addFeatures(feature("rating", ValueType.Enum.DOUBLE)).build();

    FeatureTable updated = clients.apply(project, wider);

    assertThat(updated.getSpec()).isEqualTo(wider);
    assertThat(updated.getMeta().getRevision()).isEqualTo(2);
  }

  @Test
  void gettingATableWithoutANameIsRefused() {
    assertStatus(
        () -> clients.core().getFeatureTable(getTable(projectWithDriver(), "")),
        Code.INVALID_ARGUMENT,
        "name");
  }

  @Test
  void gettingAnUnknownTableFailsWithNotFound() {
    assertStatus(
        () -> clients.core().getFeatureTable(getTable(projectWithDriver(), "no_such_table")),
        Code.NOT_FOUND,
        "no_such_table");
  }

  @Test
  void tablesAreListedSortedByNameAndMustCarryAllGivenLabels() {
    String project = projectWithDriver();
    applyLabelledTable(project, "gamma", Map.of("team", "a"));
    applyLabelledTable(project, "alpha", Map.of("team", "a", "tier", "gold"));
    applyLabelledTable(project, "beta", Map.of("team", "b", "tier", "gold"));

    assertThat(tableNames(project, Map.of())).containsExactly("alpha", "beta", "gamma");
    assertThat(tableNames(project, Map.of("team", "a"))).containsExactly("alpha", "gamma");
    assertThat(tableNames(project, Map.of("tier", "gold"))).containsExactly("alpha", "beta");
    assertThat(tableNames(project, Map.of("team", "a", "tier", "gold"))).containsExactly("alpha");
    assertThat(tableNames(project, Map.of("team", "c"))).isEmpty();
    assertThat(tableNames(project, Map.of("owner", "a"))).isEmpty();
  }

  @Test
  void listedTablesCarryTheirStoredMeta() {
    String project = projectWithDriver();
    FeatureTable applied =
        clients.apply(project, table("trips", DRIVER, feature("trips", ValueType.Enum.INT64)));

    assertThat(
            clients
                .core()
                .listFeatureTables(
                    ListFeatureTablesRequest.newBuilder()
                        .setFilter(ListFeatureTablesRequest.Filter.newBuilder().setProject(project))
                        .build())
                .getTablesList())
        .containsExactly(applied);
  }

  @Test
  void featuresAreListedAsTableColonFeatureAndFilteredByEntitySetAndFeatureLabels() {
    String project = projectWithDriver();
    clients.apply(project, entity("customer", ValueType.Enum.STRING));
    FeatureSpecV2 a = labelled(feature("a", ValueType.Enum.INT64), Map.of("kind", "x"));
    FeatureSpecV2 b = feature("b", ValueType.Enum.DOUBLE);
    FeatureSpecV2 c = labelled(feature("c", ValueType.Enum.STRING), Map.of("kind", "y"));
    FeatureSpecV2 d =
        labelled(feature("d", ValueType.Enum.INT64_LIST), Map.of("kind", "x", "tier", "gold"));
    clients.apply(project, table("by_driver", DRIVER, a, b));
    clients.apply(project, table("by_customer", "customer", c));
    clients.apply(project, table("by_both", List.of(DRIVER, "customer"), d));

    Map<String, FeatureSpecV2> all = features(project, List.of(), Map.of());
    assertThat(all)
        .containsOnly(
            Map.entry("by_driver:a", a),
            Map.entry("by_driver:b", b),
            Map.entry("by_customer:c", c),
            Map.entry("by_both:d", d));

    assertThat(featureKeys(project, List.of(DRIVER), Map.of()))
        .containsExactlyInAnyOrder("by_driver:a", "by_driver:b");
    assertThat(featureKeys(project, List.of("customer"), Map.of()))
        .containsExactlyInAnyOrder("by_customer:c");
    assertThat(featureKeys(project, List.of("customer", DRIVER), Map.of()))
        .containsExactlyInAnyOrder("by_both:d");
    assertThat(featureKeys(project, List.of(), Map.of("kind", "x")))
        .containsExactlyInAnyOrder("by_driver:a", "by_both:d");
    assertThat(featureKeys(project, List.of(), Map.of("kind", "x", "tier", "gold")))
        .containsExactlyInAnyOrder("by_both:d");
    assertThat(featureKeys(project, List.of(DRIVER), Map.of("kind", "x")))
        .containsExactlyInAnyOrder("by_driver:a");
    assertThat(featureKeys(project, List.of("vehicle"), Map.of())).isEmpty();
  }

  @Test
  void changingTheEntitiesOfAnExistingTableIsRefused() {
    String project = projectWithDriver();
    clients.apply(project, entity("customer", ValueType.Enum.STRING));
    FeatureTableSpec spec = table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
    FeatureTable stored = clients.apply(project, spec);

    assertStatus(
        () ->
            clients.apply(
                project, spec.toBuilder().clearEntities().addEntities("customer").build()),
        Code.INVALID_ARGUMENT,
        "entities");
    assertStatus(
        () -> clients.apply(project, spec.toBuilder().addEntities("customer").build()),
        Code.INVALID_ARGUMENT,
        "entities");
    assertThat(clients.core().getFeatureTable(getTable(project, "trips")).getTable())
        .isEqualTo(stored);
  }

  @Test
  void theOnlineLayoutOfAnAppliedTableCannotChangeButMayBeSpelledOut() {
    String project = projectWithDriver();
    FeatureTableSpec spec = table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
    FeatureTable stored = clients.apply(project, spec);

    assertStatus(
        () ->
            clients.apply(
                project, spec.toBuilder().putLabels("larder.io/online-layout", "packed").build()),
        Code.FAILED_PRECONDITION,
        "hash layout");
    assertThat(clients.core().getFeatureTable(getTable(project, "trips")).getTable())
        .isEqualTo(stored);
    // "hash" is what no label means: a new revision, not a layout change.
    clients.apply(project, spec.toBuilder().putLabels("larder.io/online-layout", "hash").build());

    FeatureTableSpec packed =
        table("trips_packed", DRIVER, feature("trips", ValueType.Enum.INT64)).toBuilder()
            .putLabels("larder.io/online-layout", "packed")
            .build();
    clients.apply(project, packed);
    assertStatus(
        () -> clients.apply(project, packed.toBuilder().clearLabels().build()),
        Code.FAILED_PRECONDITION,
        "packed layout");
  }

  @Test
  void aTableKeyedByAnUnregisteredEntityIsRefusedNamingIt() {
    String project = projectWithDriver();
    assertStatus(
        () ->
            clients.apply(
                project,
                table("trips", List.of(DRIVER, "vehicle"), feature("trips", ValueType.Enum.INT64))),
        Code.INVALID_ARGUMENT,
        "vehicle");
    assertStatus(
        () -> clients.core().getFeatureTable(getTable(project, "trips")), Code.NOT_FOUND, "trips");
  }

  @Test
  void anEntityOfAnotherProjectDoesNotCount() {
    String project = projectWithDriver();
    String other = uniqueProject();
    assertStatus(
        () -> clients.apply(other, table("trips", DRIVER, feature("trips", ValueType.Enum.INT64))),
        Code.INVALID_ARGUMENT,
        DRIVER);
    assertThat(entityNames(project, Map.of())).containsExactly(DRIVER);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidTableSpecs")
  void invalidTableSpecsAreRefusedNamingTheOffendingField(
      String description, UnaryOperator<FeatureTableSpec> change, String fragment) {
    String project = projectWithDriver();
    clients.apply(project, entity("customer", ValueType.Enum.STRING));
    FeatureTableSpec spec = change.apply(validSpec());

    assertStatus(() -> clients.apply(project, spec), Code.INVALID_ARGUMENT, fragment);
    assertThat(tableNames(project, Map.of())).isEmpty();
  }

  static Stream<Arguments> invalidTableSpecs() {
    Stream<Arguments> reserved =
        RESERVED.stream()
            .map(
                name ->
                    invalid(
                        "reserved feature name " + name,
                        s -> withFeature(s, 0, feature(name, ValueType.Enum.INT64)),
                        name));
    Stream<Arguments> others =
        Stream.of(
            invalid(
                "unknown online layout",
                s -> s.toBuilder().putLabels("larder.io/online-layout", "columnar").build(),
                "columnar"),
            invalid("capital in table name", s -> named(s, "Driver_stats"), "Driver_stats"),
            invalid("hyphen in table name", s -> named(s, "driver-stats"), "driver-stats"),
            invalid("table name starting with a digit", s -> named(s, "1stats"), "1stats"),
            invalid("empty table name", s -> named(s, ""), "name"),
            invalid("table name of 65 characters", s -> named(s, "t".repeat(65)), "name"),
            invalid("no entities", s -> s.toBuilder().clearEntities().build(), "entities"),
            invalid(
                "duplicate entities", s -> s.toBuilder().addEntities(DRIVER).build(), "entities"),
            invalid("no features", s -> s.toBuilder().clearFeatures().build(), "features"),
            invalid(
                "capital in feature name",
                s -> withFeature(s, 0, feature("Trips", ValueType.Enum.INT64)),
                "Trips"),
            invalid(
                "feature name with a hyphen",
                s -> withFeature(s, 0, feature("trip-count", ValueType.Enum.INT64)),
                "trip-count"),
            invalid(
                "empty feature name",
                s -> withFeature(s, 0, feature("", ValueType.Enum.INT64)),
                "features"),
            invalid(
                "duplicate feature name",
                s -> s.toBuilder().addFeatures(feature("trips", ValueType.Enum.DOUBLE)).build(),
                "trips"),
            invalid(
                "feature named like one of the table's entities",
                s -> s.toBuilder().addFeatures(feature(DRIVER, ValueType.Enum.STRING)).build(),
                DRIVER),
            invalid(
                "feature of value type INVALID",
                s -> withFeature(s, 0, feature("trips", ValueType.Enum.INVALID)),
                "value_type"),
            invalid(
                "feature of unknown value type number 99",
                s ->
                    withFeature(
                        s,
                        0,
                        FeatureSpecV2.newBuilder().setName("trips").setValueTypeValue(99).build()),
                "value_type"),
            invalid(
                "negative max_age seconds",
                s -> s.toBuilder().setMaxAge(Duration.newBuilder().setSeconds(-1)).build(),
                "max_age"),
            invalid(
                "negative max_age nanos",
                s -> s.toBuilder().setMaxAge(Duration.newBuilder().setNanos(-1)).build(),
                "max_age"),
            invalid(
                "no batch_source", s -> s.toBuilder().clearBatchSource().build(), "batch_source"),
            invalid(
                "batch_source of type INVALID",
                s -> withBatch(s, b -> b.setType(SourceType.INVALID)),
                "batch_source"),
            invalid(
                "stream source as batch_source",
                s -> s.toBuilder().setBatchSource(kafkaSource("trips")).build(),
                "batch_source"),
            invalid(
                "batch file source without options",
                s -> withBatch(s, DataSource.Builder::clearOptions),
                "batch_source"),
            invalid(
                "batch file source with empty file_url",
                s ->
                    withBatch(
                        s, b -> b.setFileOptions(b.getFileOptions().toBuilder().setFileUrl(""))),
                "batch_source"),
            invalid(
                "batch file source with BigQuery options",
                s ->
                    withBatch(
                        s,
                        b ->
                            b.setBigqueryOptions(
                                BigQueryOptions.newBuilder().setTableRef("p:d.t").build())),
                "batch_source"),
            invalid(
                "batch BigQuery source with empty table_ref",
                s ->
                    withBatch(
                        s,
                        b ->
                            b.setType(SourceType.BATCH_BIGQUERY)
                                .setBigqueryOptions(BigQueryOptions.getDefaultInstance())),
                "batch_source"),
            invalid(
                "batch_source without event_timestamp_column",
                s -> withBatch(s, b -> b.setEventTimestampColumn("")),
                "event_timestamp_column"),
            invalid(
                "batch source as stream_source",
                s -> s.toBuilder().setStreamSource(fileSource("file:///data/t.parquet")).build(),
                "stream_source"),
            invalid(
                "stream_source of type INVALID",
                s -> withStream(s, k -> k.setType(SourceType.INVALID)),
                "stream_source"),
            invalid(
                "Kafka stream_source without options",
                s -> withStream(s, DataSource.Builder::clearOptions),
                "stream_source"),
            invalid(
                "Kafka stream_source with empty bootstrap_servers",
                s ->
                    withStream(
                        s,
                        k ->
                            k.setKafkaOptions(
                                k.getKafkaOptions().toBuilder().setBootstrapServers(""))),
                "stream_source"),
            invalid(
                "Kafka stream_source with empty topic",
                s ->
                    withStream(
                        s, k -> k.setKafkaOptions(k.getKafkaOptions().toBuilder().setTopic(""))),
                "stream_source"),
            invalid(
                "Kafka stream_source without message_format",
                s ->
                    withStream(
                        s,
                        k ->
                            k.setKafkaOptions(
                                k.getKafkaOptions().toBuilder().clearMessageFormat())),
                "stream_source"),
            invalid(
                "stream-format label of an unknown value",
                s -> withStream(s, k -> k).toBuilder().putLabels(STREAM_FORMAT, "xml").build(),
                "table_spec.labels[larder.io/stream-format]: must be one of json, avro, protobuf"),
            invalid(
                "stream-format label on a table without stream_source",
                s -> s.toBuilder().putLabels(STREAM_FORMAT, "json").build(),
                "table_spec.labels[larder.io/stream-format]"),
            invalid(
                "avro stream-format label on proto records",
                s -> withStream(s, k -> k).toBuilder().putLabels(STREAM_FORMAT, "avro").build(),
                "table_spec.labels[larder.io/stream-format]: 'avro' needs"),
            invalid(
                "protobuf stream-format label without message_format",
                s ->
                    withStream(s, CoreServiceIT::withoutMessageFormat).toBuilder()
                        .putLabels(STREAM_FORMAT, "protobuf")
                        .build(),
                "kafka_options.message_format"),
            invalid(
                "stream_source with a different field_mapping",
                s -> withStream(s, k -> k.putFieldMapping("trip_count", "trips")),
                "stream_source"),
            invalid(
                "stream_source with a different event_timestamp_column",
                s -> withStream(s, k -> k.setEventTimestampColumn("ts")),
                "stream_source"),
            invalid(
                "stream_source with a different created_timestamp_column",
                s -> withStream(s, k -> k.setCreatedTimestampColumn("created")),
                "stream_source"));
    return Stream.concat(others, reserved);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("validTableSpecs")
  void tableSpecsAtTheEdgesOfTheRulesAreAccepted(
      String description, UnaryOperator<FeatureTableSpec> change) {
    String project = projectWithDriver();
    clients.apply(project, entity("customer", ValueType.Enum.STRING));
    FeatureTableSpec spec = change.apply(validSpec());

    FeatureTable applied = clients.apply(project, spec);

    assertThat(applied.getSpec()).isEqualTo(spec);
    assertThat(applied.getMeta().getRevision()).isEqualTo(1);
  }

  static Stream<Arguments> validTableSpecs() {
    return Stream.of(
        valid("the valid base spec", s -> s),
        valid("table name of 64 characters", s -> named(s, "t".repeat(64))),
        valid("table name starting with an underscore", s -> named(s, "_stats")),
        valid(
            "labels of any strings",
            s ->
                s.toBuilder()
                    .putLabels("Team Name!", "ü ö / *")
                    .putLabels("", "")
                    .setFeatures(0, labelled(s.getFeatures(0), Map.of("Any Key", "Any value!")))
                    .build()),
        valid("no max_age", s -> s.toBuilder().clearMaxAge().build()),
        valid("zero max_age", s -> s.toBuilder().setMaxAge(Duration.getDefaultInstance()).build()),
        valid("two entities", s -> s.toBuilder().addEntities("customer").build()),
        valid(
            "features of list types",
            s ->
                s.toBuilder()
                    .addFeatures(feature("recent_trips", ValueType.Enum.INT64_LIST))
                    .addFeatures(feature("tags", ValueType.Enum.STRING_LIST))
                    .build()),
        valid(
            "BigQuery batch source",
            s ->
                withBatch(
                    s,
                    b ->
                        b.setType(SourceType.BATCH_BIGQUERY)
                            .setBigqueryOptions(
                                BigQueryOptions.newBuilder().setTableRef("proj:dataset.trips")))),
        valid(
            "batch source with field mapping and created timestamp column",
            s ->
                withBatch(
                    s,
                    b ->
                        b.putFieldMapping("trip_count", "trips")
                            .setCreatedTimestampColumn("created")
                            .setDatePartitionColumn("day"))),
        valid("Kafka stream source with the same fields", s -> withStream(s, k -> k)),
        valid(
            "protobuf stream-format label on proto records",
            s -> withStream(s, k -> k).toBuilder().putLabels(STREAM_FORMAT, "protobuf").build()),
        valid(
            "json stream-format label keeps an explicit message_format",
            s -> withStream(s, k -> k).toBuilder().putLabels(STREAM_FORMAT, "json").build()),
        valid(
            "Kafka stream source with Avro records and the same field mapping",
            s ->
                withStream(
                    withBatch(
                        s,
                        b ->
                            b.putFieldMapping("trip_count", "trips")
                                .setCreatedTimestampColumn("created")),
                    k ->
                        k.putFieldMapping("trip_count", "trips")
                            .setCreatedTimestampColumn("created")
                            .setKafkaOptions(
                                k.getKafkaOptions().toBuilder()
                                    .setMessageFormat(
                                        StreamFormat.newBuilder()
                                            .setAvroFormat(
                                                AvroFormat.newBuilder()
                                                    .setSchemaJson("{\"type\":\"record\"}")))))),
        valid(
            "Kinesis stream source",
            s ->
                s.toBuilder()
                    .setStreamSource(
                        DataSource.newBuilder()
                            .setType(SourceType.STREAM_KINESIS)
                            .setEventTimestampColumn(EVENT_TIMESTAMP)
                            .setKinesisOptions(
                                KinesisOptions.newBuilder()
                                    .setRegion("eu-west-1")
                                    .setStreamName("trips")
                                    .setRecordFormat(
                                        StreamFormat.newBuilder()
                                            .setAvroFormat(
                                                AvroFormat.newBuilder()
                                                    .setSchemaJson("{\"type\":\"record\"}")))))
                    .build()));
  }

  @Test
  void aJsonStreamTableWithoutMessageFormatIsStoredWithThePlaceholderAndReApplyingIsANoOp()
      throws Exception {
    String project = projectWithDriver();
    FeatureTableSpec spec =
        withStream(validSpec(), CoreServiceIT::withoutMessageFormat).toBuilder()
            .putLabels(STREAM_FORMAT, "json")
            .build();

    FeatureTable first = clients.apply(project, spec);

    assertThat(first.getSpec().getLabelsMap()).containsEntry(STREAM_FORMAT, "json");
    assertThat(first.getSpec().getStreamSource().getKafkaOptions().getMessageFormat())
        .isEqualTo(
            StreamFormat.newBuilder()
                .setProtoFormat(ProtoFormat.newBuilder().setClassPath("json"))
                .build());
    assertThat(first.getSpec().toBuilder().clearStreamSource().build())
        .isEqualTo(spec.toBuilder().clearStreamSource().build());
    assertThat(first.getMeta().getRevision()).isEqualTo(1);
    assertThat(first.getMeta().getHash()).isEqualTo(sha256(first.getSpec()));
    long before = latestSequence(clients);

    FeatureTable again = clients.apply(project, spec);
    FeatureTable asStored = clients.apply(project, first.getSpec());

    assertThat(again).isEqualTo(first);
    assertThat(asStored).isEqualTo(first);
    assertThat(clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable())
        .isEqualTo(first);
    assertThat(changesOf(clients, project, before)).isEmpty();
  }

  @Test
  void featuresOfEveryKnownScalarAndListTypeAreAccepted() {
    String project = projectWithDriver();
    FeatureSpecV2[] features =
        knownValueTypes().stream()
            .map(type -> feature("f_" + type.name().toLowerCase(), type))
            .toArray(FeatureSpecV2[]::new);

    FeatureTable applied = clients.apply(project, table("all_types", DRIVER, features));

    assertThat(applied.getSpec().getFeaturesList()).containsExactly(features);
  }

  @Test
  void aDeletedTableIsNotFoundAndNotListed() {
    String project = projectWithDriver();
    clients.apply(project, table("trips", DRIVER, feature("trips", ValueType.Enum.INT64)));
    clients.apply(project, table("other", DRIVER, feature("other", ValueType.Enum.INT64)));

    deleteTable(project, "trips");

    assertStatus(
        () -> clients.core().getFeatureTable(getTable(project, "trips")), Code.NOT_FOUND, "trips");
    assertThat(tableNames(project, Map.of())).containsExactly("other");
    assertThat(featureKeys(project, List.of(), Map.of())).containsExactly("other:other");
    assertStatus(() -> deleteTable(project, "trips"), Code.NOT_FOUND, "trips");
  }

  @Test
  void deletingAnUnknownTableFailsWithNotFound() {
    String project = projectWithDriver();
    assertStatus(() -> deleteTable(project, "no_such_table"), Code.NOT_FOUND, "no_such_table");
  }

  @Test
  void reApplyingADeletedTableContinuesItsRevisions() {
    String project = projectWithDriver();
    FeatureTableSpec spec = table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
    clients.apply(project, spec);
    clients.apply(project, spec.toBuilder().putLabels("team", "rides").build());
    deleteTable(project, "trips");

    FeatureTable recreated = clients.apply(project, spec);

    assertThat(recreated.getSpec()).isEqualTo(spec);
    assertThat(recreated.getMeta().getRevision()).isEqualTo(3);
    assertThat(clients.core().getFeatureTable(getTable(project, "trips")).getTable())
        .isEqualTo(recreated);
  }

  // ---------------------------------------------------------------- stores

  @Test
  void updatingAStoreAnswersUpdatedThenNoChangeAndEchoesIt() {
    Store store = redisStore(uniqueName("s"), 6379);

    UpdateStoreResponse first = updateStore(store);
    assertThat(first.getStatus()).isEqualTo(UpdateStoreResponse.Status.UPDATED);
    assertThat(first.getStore()).isEqualTo(store);

    UpdateStoreResponse second = updateStore(store);
    assertThat(second.getStatus()).isEqualTo(UpdateStoreResponse.Status.NO_CHANGE);
    assertThat(second.getStore()).isEqualTo(store);

    assertThat(storesNamed(store.getName())).containsExactly(store);
  }

  @Test
  void updatingAStoreWithADifferentConfigReplacesIt() {
    String name = uniqueName("s");
    updateStore(redisStore(name, 6379));
    Store cluster =
        Store.newBuilder()
            .setName(name)
            .setType(StoreType.REDIS_CLUSTER)
            .addSubscriptions(Subscription.newBuilder().setProject("*").setName("*"))
            .setRedisClusterConfig(
                RedisClusterConfig.newBuilder()
                    .setConnectionString("127.0.0.1:7000,127.0.0.1:7001")
                    .setKeyPrefix("larder"))
            .build();

    UpdateStoreResponse response = updateStore(cluster);

    assertThat(response.getStatus()).isEqualTo(UpdateStoreResponse.Status.UPDATED);
    assertThat(response.getStore()).isEqualTo(cluster);
    assertThat(storesNamed(name)).containsExactly(cluster);
  }

  @Test
  void allStoresAreListedSortedByName() {
    String suffix = suffix();
    Store later = redisStore("sb_" + suffix, 6380);
    Store earlier = redisStore("sa_" + suffix, 6379);
    updateStore(later);
    updateStore(earlier);

    List<Store> all =
        clients.core().listStores(ListStoresRequest.getDefaultInstance()).getStoreList();

    assertThat(all).containsSubsequence(earlier, later);
  }

  @Test
  void listingAStoreThatIsNotStoredFailsWithNotFound() {
    String name = uniqueName("s");
    assertStatus(() -> storesNamed(name), Code.NOT_FOUND, name);
  }

  @Test
  void storesWithoutANameOrWithAnInvalidNameOrTypeAreRefused() {
    assertStatus(() -> updateStore(redisStore("", 6379)), Code.INVALID_ARGUMENT, "name");
    assertStatus(
        () -> updateStore(redisStore("bad name!", 6379)), Code.INVALID_ARGUMENT, "bad name!");
    String name = uniqueName("s");
    assertStatus(
        () -> updateStore(redisStore(name, 6379).toBuilder().setType(StoreType.INVALID).build()),
        Code.INVALID_ARGUMENT,
        "type");
    assertStatus(() -> storesNamed(name), Code.NOT_FOUND, name);
  }

  // ---------------------------------------------------------------- helpers

  private static Arguments invalid(
      String description, UnaryOperator<FeatureTableSpec> change, String fragment) {
    return Arguments.of(description, change, fragment);
  }

  private static Arguments valid(String description, UnaryOperator<FeatureTableSpec> change) {
    return Arguments.of(description, change);
  }

  /** driver_stats keyed by driver: trips INT64, rating DOUBLE; parquet batch source. */
  private static FeatureTableSpec validSpec() {
    return table(
        "driver_stats",
        DRIVER,
        feature("trips", ValueType.Enum.INT64),
        feature("rating", ValueType.Enum.DOUBLE));
  }

  private static FeatureTableSpec named(FeatureTableSpec spec, String name) {
    return spec.toBuilder().setName(name).build();
  }

  private static FeatureTableSpec withFeature(
      FeatureTableSpec spec, int index, FeatureSpecV2 feature) {
    return spec.toBuilder().setFeatures(index, feature).build();
  }

  private static FeatureTableSpec withBatch(
      FeatureTableSpec spec, UnaryOperator<DataSource.Builder> change) {
    return spec.toBuilder()
        .setBatchSource(change.apply(spec.getBatchSource().toBuilder()).build())
        .build();
  }

  /** Sets a Kafka stream source matching the batch source's fields, then applies change. */
  private static FeatureTableSpec withStream(
      FeatureTableSpec spec, UnaryOperator<DataSource.Builder> change) {
    return spec.toBuilder()
        .setStreamSource(change.apply(kafkaSource("driver_stats").toBuilder()).build())
        .build();
  }

  private static DataSource.Builder withoutMessageFormat(DataSource.Builder kafka) {
    return kafka.setKafkaOptions(kafka.getKafkaOptions().toBuilder().clearMessageFormat());
  }

  private static FeatureSpecV2 labelled(FeatureSpecV2 feature, Map<String, String> labels) {
    return feature.toBuilder().putAllLabels(labels).build();
  }

  private static List<ValueType.Enum> knownValueTypes() {
    return Arrays.stream(ValueType.Enum.values())
        .filter(type -> type != ValueType.Enum.INVALID && type != ValueType.Enum.UNRECOGNIZED)
        .toList();
  }

  private static String sha256(FeatureTableSpec spec) throws IOException, NoSuchAlgorithmException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    spec.writeTo(out);
    out.flush();
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
  }

  /** A fresh project with the entity "driver" (STRING) registered. */
  private String projectWithDriver() {
    String project = uniqueProject();
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    return project;
  }

  private void applyLabelledEntity(String project, String name, Map<String, String> labels) {
    clients.apply(
        project, entity(name, ValueType.Enum.STRING).toBuilder().putAllLabels(labels).build());
  }

  private void applyLabelledTable(String project, String name, Map<String, String> labels) {
    clients.apply(
        project,
        table(name, DRIVER, feature("f", ValueType.Enum.INT64)).toBuilder()
            .putAllLabels(labels)
            .build());
  }

  private void createProject(String name) {
    clients.core().createProject(CreateProjectRequest.newBuilder().setName(name).build());
  }

  private void archiveProject(String name) {
    clients.core().archiveProject(ArchiveProjectRequest.newBuilder().setName(name).build());
  }

  private List<String> projects() {
    return clients.core().listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList();
  }

  private void deleteTable(String project, String name) {
    clients
        .core()
        .deleteFeatureTable(
            DeleteFeatureTableRequest.newBuilder().setProject(project).setName(name).build());
  }

  private List<String> entityNames(String project, Map<String, String> labels) {
    return clients
        .core()
        .listEntities(
            ListEntitiesRequest.newBuilder()
                .setFilter(
                    ListEntitiesRequest.Filter.newBuilder()
                        .setProject(project)
                        .putAllLabels(labels))
                .build())
        .getEntitiesList()
        .stream()
        .map(entity -> entity.getSpec().getName())
        .toList();
  }

  private List<String> tableNames(String project, Map<String, String> labels) {
    return clients
        .core()
        .listFeatureTables(
            ListFeatureTablesRequest.newBuilder()
                .setFilter(
                    ListFeatureTablesRequest.Filter.newBuilder()
                        .setProject(project)
                        .putAllLabels(labels))
                .build())
        .getTablesList()
        .stream()
        .map(table -> table.getSpec().getName())
        .toList();
  }

  private Map<String, FeatureSpecV2> features(
      String project, List<String> entities, Map<String, String> labels) {
    return clients
        .core()
        .listFeatures(
            ListFeaturesRequest.newBuilder()
                .setFilter(
                    ListFeaturesRequest.Filter.newBuilder()
                        .setProject(project)
                        .addAllEntities(entities)
                        .putAllLabels(labels))
                .build())
        .getFeaturesMap();
  }

  private List<String> featureKeys(
      String project, List<String> entities, Map<String, String> labels) {
    return List.copyOf(features(project, entities, labels).keySet());
  }

  private static Store redisStore(String name, int port) {
    return Store.newBuilder()
        .setName(name)
        .setType(StoreType.REDIS)
        .addSubscriptions(Subscription.newBuilder().setProject("*").setName("*"))
        .setRedisConfig(RedisConfig.newBuilder().setHost("127.0.0.1").setPort(port))
        .build();
  }

  private UpdateStoreResponse updateStore(Store store) {
    return clients.core().updateStore(UpdateStoreRequest.newBuilder().setStore(store).build());
  }

  private List<Store> storesNamed(String name) {
    return clients
        .core()
        .listStores(
            ListStoresRequest.newBuilder()
                .setFilter(ListStoresRequest.Filter.newBuilder().setName(name))
                .build())
        .getStoreList();
  }
}
