package io.larder.jobs.sdk;

import static io.larder.jobs.batch.BatchFixtures.entity;
import static io.larder.jobs.batch.BatchFixtures.feature;
import static io.larder.jobs.batch.BatchFixtures.fileSource;
import static io.larder.jobs.batch.BatchFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.jobs.batch.BatchFixtures;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's point-in-time join and its spec lookups, from given specs and from an in-process fake
 * registry; times are 2021-01-01 at the given hh:mm.
 */
@Timeout(120)
class LarderSparkTest {

  private static final String PROJECT = "rides";
  private static final EntitySpecV2 DRIVER = entity("driver", ValueType.Enum.INT64);
  private static final StructType ENTITY_ROWS =
      new StructType()
          .add("driver", DataTypes.LongType)
          .add("event_timestamp", DataTypes.TimestampType)
          .add("label", DataTypes.StringType);

  private static SparkSession spark;
  @TempDir static Path dir;

  /**
   * driver_stats, max_age 1 h: driver 1 has trips 10 at 10:00 and 20 at 11:00; driver 2, 30 at
   * 12:00.
   */
  private static FeatureTableSpec driverStats;

  private Server registry;
  private final Queue<String> registryCalls = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void startSpark() {
    spark = BatchFixtures.spark("larder-spark-test");
    String url = dir.resolve("driver_stats").toString();
    StructType sourceRows =
        new StructType()
            .add("driver", DataTypes.LongType)
            .add("trips", DataTypes.LongType)
            .add("ts", DataTypes.TimestampType);
    spark
        .createDataFrame(
            List.of(
                row(1L, 10L, at("10:00")), row(1L, 20L, at("11:00")), row(2L, 30L, at("12:00"))),
            sourceRows)
        .write()
        .parquet(url);
    driverStats =
        table(
            "driver_stats",
            List.of("driver"),
            List.of(feature("trips", ValueType.Enum.INT64)),
            fileSource(url).setEventTimestampColumn("ts"),
            3600);
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @BeforeEach
  void startFakeRegistry() throws IOException {
    registry =
        InProcessServerBuilder.forName("registry-" + System.identityHashCode(this))
            .directExecutor()
            .addService(new FakeRegistry())
            .build()
            .start();
  }

  @AfterEach
  void stopFakeRegistry() throws InterruptedException {
    registry.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void givenSpecsJoinPointInTimeWithNullsBeforeAnyRowAndBeyondMaxAge() {
    try (LarderSpark larder =
        LarderSpark.withSpecs(List.of(driverStats), List.of(DRIVER)).project(PROJECT).build()) {

      Dataset<Row> training =
          larder.historicalFeatures(entityRows(), List.of("driver_stats:trips"));

      assertThat(training.columns())
          .containsExactly("driver", "event_timestamp", "label", "driver_stats__trips");
      assertThat(training.collectAsList())
          .extracting(r -> r.getString(2), r -> r.get(3))
          .containsExactlyInAnyOrder(
              tuple("same time as a row", 20L),
              tuple("between rows", 10L),
              tuple("before any row", null),
              tuple("within max_age", 30L),
              tuple("older than max_age", null),
              tuple("unknown driver", null));
    }
  }

  @Test
  void registrySpecsAreFetchedInTheProjectAndGiveTheSameJoin() {
    try (LarderSpark larder = overFakeRegistry()) {

      Dataset<Row> training =
          larder.historicalFeatures(entityRows(), List.of("driver_stats:trips"));

      assertThat(training.collectAsList())
          .extracting(r -> r.getString(2), r -> r.get(3))
          .contains(tuple("between rows", 10L), tuple("before any row", null));
      assertThat(registryCalls)
          .containsExactly("GetFeatureTable rides/driver_stats", "ListEntities rides");
    }
  }

  @Test
  void anUnknownFeatureIsNamedWithItsTableAndProject() {
    try (LarderSpark larder = overFakeRegistry()) {
      assertThatThrownBy(
              () -> larder.historicalFeatures(entityRows(), List.of("driver_stats:speed")))
          .isInstanceOf(SpecNotFoundException.class)
          .hasMessage(
              "feature 'speed' not found in feature table 'driver_stats' of project 'rides'"
                  + " (its features: trips)");
    }
  }

  @Test
  void anUnknownTableIsNamedWithItsProjectFromTheRegistrysNotFound() {
    try (LarderSpark larder = overFakeRegistry()) {
      assertThatThrownBy(() -> larder.historicalFeatures(entityRows(), List.of("nope:trips")))
          .isInstanceOf(SpecNotFoundException.class)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("feature table 'nope' not found in project 'rides'");
      assertThatThrownBy(() -> larder.ingestToOnline(entityRows(), "nope"))
          .isInstanceOf(SpecNotFoundException.class)
          .hasMessageContaining("feature table 'nope'");
    }
  }

  @Test
  void anUnknownTableAmongGivenSpecsIsNamed() {
    try (LarderSpark larder = LarderSpark.withSpecs(List.of(driverStats), List.of()).build()) {
      assertThatThrownBy(() -> larder.historicalFeatures(entityRows(), List.of("nope:trips")))
          .isInstanceOf(SpecNotFoundException.class)
          .hasMessage("feature table 'nope' is not among the given specs (tables: driver_stats)");
      // A table whose entity spec is missing names the entity and the table.
      assertThatThrownBy(
              () -> larder.historicalFeatures(entityRows(), List.of("driver_stats:trips")))
          .isInstanceOf(SpecNotFoundException.class)
          .hasMessage(
              "entity 'driver' (a key of feature table 'driver_stats') not found in project"
                  + " 'default'");
    }
  }

  @Test
  void malformedReferencesAreRefusedBeforeAnyRegistryCall() {
    try (LarderSpark larder = overFakeRegistry()) {
      assertThatThrownBy(() -> larder.historicalFeatures(entityRows(), List.of("driver_stats")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"driver_stats\" is not a \"table:feature\" reference");
      assertThatThrownBy(() -> larder.historicalFeatures(entityRows(), List.of()))
          .hasMessageContaining("at least one");
    }
    assertThat(registryCalls).isEmpty();
  }

  @Test
  void entityRowsWithoutAnEntityColumnAreRefusedNamingIt() {
    Dataset<Row> noDriver = entityRows().drop("driver");
    try (LarderSpark larder =
        LarderSpark.withSpecs(List.of(driverStats), List.of(DRIVER)).build()) {
      assertThatThrownBy(() -> larder.historicalFeatures(noDriver, List.of("driver_stats:trips")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("entities: no column for entity \"driver\"");
    }
  }

  @Test
  void ingestRowsWithoutTheSourcesColumnsAreRefusedNamingTheColumn() {
    Dataset<Row> noTrips = spark.range(1).toDF("driver");
    try (LarderSpark larder =
        LarderSpark.withSpecs(List.of(driverStats), List.of(DRIVER)).build()) {
      assertThatThrownBy(() -> larder.ingestToOnline(noTrips, "driver_stats"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("source has no column 'trips' for feature 'trips'");
    }
  }

  @Test
  void anUnreachableRegistryIsNamedByItsTarget() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String target = "127.0.0.1:" + closedPort;
    try (LarderSpark larder =
        LarderSpark.connect(target).registryDeadline(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(
              () -> larder.historicalFeatures(entityRows(), List.of("driver_stats:trips")))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageStartingWith("could not reach the registry at " + target);
    }
  }

  // --- fixtures ---

  private LarderSpark overFakeRegistry() {
    ManagedChannel channel =
        InProcessChannelBuilder.forName("registry-" + System.identityHashCode(this))
            .directExecutor()
            .build();
    return LarderSpark.connect(channel, "in-process")
        .project(PROJECT)
        .registryDeadline(Duration.ofSeconds(5))
        .build();
  }

  /** Serves driver_stats and the driver entity in project "rides", NOT_FOUND for anything else. */
  private final class FakeRegistry extends CoreServiceGrpc.CoreServiceImplBase {

    @Override
    public void getFeatureTable(
        GetFeatureTableRequest request, StreamObserver<GetFeatureTableResponse> response) {
      registryCalls.add("GetFeatureTable " + request.getProject() + "/" + request.getName());
      if (!request.getProject().equals(PROJECT) || !request.getName().equals("driver_stats")) {
        response.onError(
            Status.NOT_FOUND
                .withDescription("no feature table " + request.getName())
                .asRuntimeException());
        return;
      }
      response.onNext(
          GetFeatureTableResponse.newBuilder()
              .setTable(FeatureTable.newBuilder().setSpec(driverStats))
              .build());
      response.onCompleted();
    }

    @Override
    public void listEntities(
        ListEntitiesRequest request, StreamObserver<ListEntitiesResponse> response) {
      registryCalls.add("ListEntities " + request.getFilter().getProject());
      ListEntitiesResponse.Builder entities = ListEntitiesResponse.newBuilder();
      if (request.getFilter().getProject().equals(PROJECT)) {
        entities.addEntities(Entity.newBuilder().setSpec(DRIVER));
      }
      response.onNext(entities.build());
      response.onCompleted();
    }
  }

  private static Dataset<Row> entityRows() {
    return spark.createDataFrame(
        List.of(
            row(1L, at("11:00"), "same time as a row"),
            row(1L, at("10:30"), "between rows"),
            row(1L, at("09:59"), "before any row"),
            row(2L, at("12:30"), "within max_age"),
            row(2L, at("13:30"), "older than max_age"),
            row(3L, at("12:00"), "unknown driver")),
        ENTITY_ROWS);
  }

  private static Row row(Object... values) {
    return RowFactory.create(values);
  }

  private static Timestamp at(String hhmm) {
    return Timestamp.from(Instant.parse("2021-01-01T" + hhmm + ":00Z"));
  }
}
