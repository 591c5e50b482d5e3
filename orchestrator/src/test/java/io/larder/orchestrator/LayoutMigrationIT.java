package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.orchestrator.support.Kafka;
import io.larder.orchestrator.support.OnlineStore;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Tables moved between online layouts by the job service's migration job (a real process against
 * the stack's Redis), with the registry switched in between: a table written only before, and a
 * streamed table whose messages keep coming throughout; and every refusal.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LayoutMigrationIT extends OrchestratorTestBase {

  private static final String PROJECT = "moves_" + UUID.randomUUID().toString().substring(0, 6);
  private static Path emptyHistory;

  @DynamicPropertySource
  static void shortGrace(DynamicPropertyRegistry properties) {
    properties.add("larder.orchestrator.layout-migration.switch-grace", () -> "1s");
  }

  @BeforeAll
  static void registerEntity() throws Exception {
    emptyHistory = home.resolve("history.csv");
    Files.writeString(emptyHistory, "driver_id,trips,rating,ts\n");
    registry.applyEntity(PROJECT, "driver_id", ValueType.Enum.INT64);
  }

  @Test
  void aTableMovesToPackedAndBackWithItsRowsAndTheOldLayoutsRowsGone() throws Exception {
    String table = "driver_moves";
    long revision =
        registry
            .applyTable(PROJECT, Tables.drivers(table, emptyHistory).build())
            .getMeta()
            .getRevision();
    try (OnlineStore redis = new OnlineStore(REDIS)) {
      Instant event = Instant.now().minusSeconds(60);
      for (long driver = 1; driver <= 50; driver++) {
        redis.writeDriverRow(PROJECT, driver, table, Map.of("trips", int64(driver)), event);
      }

      JobDetails started = jobDetails().migrateOnlineLayout(request(table, "packed"));
      assertThat(started.getJob().getId()).startsWith("migration-");
      assertThat(started.getKind()).isEqualTo("layout_migration");
      JobDetails done = awaitEnd(started.getJob().getId(), Duration.ofMinutes(2));

      assertThat(done.getJob().getStatus())
          .as("log:%n%s", log(started.getJob().getId()))
          .isEqualTo(JobStatus.JOB_STATUS_DONE);
      assertThat(done.getProgress().getRowsWritten()).isEqualTo(50);
      assertThat(done.getProgress().getRowsRemoved()).isEqualTo(50);
      FeatureTable switched = table(table);
      assertThat(switched.getSpec().getLabelsMap())
          .containsEntry("larder.io/online-layout", "packed");
      assertThat(switched.getMeta().getRevision()).isEqualTo(revision + 1);
      PackedRow row = redis.packedDriverRow(PROJECT, 7, table);
      assertThat(row.getFeaturesList()).extracting(f -> f.getValue()).containsExactly(int64(7));
      assertThat(redis.hasHashRow(PROJECT, 7, table)).isFalse();
      // Feast clients see it as a batch ingestion job of its table.
      Job feast =
          jobs()
              .listJobs(
                  ListJobsRequest.newBuilder()
                      .setIncludeTerminated(true)
                      .setTableName(table)
                      .build())
              .getJobs(0);
      assertThat(feast.getType()).isEqualTo(JobType.BATCH_INGESTION_JOB);
      assertThat(feast.getBatchIngestion().getTableName()).isEqualTo(table);

      // Back to Feast's layout, over HTTP.
      String answer =
          http.post()
              .uri("/api/v1/jobs/layout-migration")
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue(
                  "{\"project\":\"%s\",\"tableName\":\"%s\",\"layout\":\"hash\"}"
                      .formatted(PROJECT, table))
              .exchange()
              .expectStatus()
              .isOk()
              .expectBody(String.class)
              .returnResult()
              .getResponseBody();
      JobDetails.Builder parsed = JobDetails.newBuilder();
      JsonFormat.parser().merge(answer, parsed);
      String back = parsed.getJob().getId();
      assertThat(parsed.getKind()).isEqualTo("layout_migration");
      assertThat(awaitEnd(back, Duration.ofMinutes(2)).getJob().getStatus())
          .as("log:%n%s", log(back))
          .isEqualTo(JobStatus.JOB_STATUS_DONE);
      assertThat(redis.driverFeature(PROJECT, 7, table, "trips", ValueType.Enum.INT64))
          .isEqualTo(int64(7));
      assertThat(redis.packedDriverRow(PROJECT, 7, table)).isNull();
      assertThat(table(table).getSpec().getLabelsMap())
          .containsEntry("larder.io/online-layout", "hash");
    }
  }

  @Test
  void aStreamedTableMovesWhileItsMessagesKeepComingAndNoneIsLost() throws Exception {
    String table = "driver_stream_moves";
    String topic = "it-moves-" + UUID.randomUUID();
    registry.applyTable(PROJECT, Tables.streamed(table, emptyHistory, topic).build());
    try (Kafka kafka = new Kafka();
        OnlineStore redis = new OnlineStore(REDIS)) {
      long now = Instant.now().getEpochSecond();
      for (long driver = 1; driver <= 20; driver++) {
        kafka.driverEvent(topic, driver, driver, 4.5, now);
      }
      await(
          () -> redis.driverFeature(PROJECT, 20, table, "trips", ValueType.Enum.INT64) != null,
          Duration.ofMinutes(3),
          () -> "the first messages in Redis (hash layout)");

      Kafka.SteadyEvents steady = kafka.steadyEvents(topic);
      try (steady) {
        String id = jobDetails().migrateOnlineLayout(request(table, "packed")).getJob().getId();
        JobDetails done = awaitEnd(id, Duration.ofMinutes(5));
        assertThat(done.getJob().getStatus())
            .as("log:%n%s", log(id))
            .isEqualTo(JobStatus.JOB_STATUS_DONE);
        Thread.sleep(2000);
      }
      long last = steady.last();
      await(
          () -> redis.packedDriverRow(PROJECT, last, table) != null,
          Duration.ofMinutes(2),
          () -> "the last message (" + last + ") in the packed layout");
      for (long driver : concat(20, 999, last)) {
        PackedRow row = redis.packedDriverRow(PROJECT, driver, table);
        assertThat(row).as("driver %d", driver).isNotNull();
        assertThat(row.getFeaturesList())
            .as("driver %d", driver)
            .extracting(f -> f.getValue())
            .contains(int64(driver));
        assertThat(redis.hasHashRow(PROJECT, driver, table)).as("driver %d", driver).isFalse();
      }
      registry.deleteTable(PROJECT, table);
    }
  }

  @Test
  void requestsThatCannotMoveAnythingAreRefusedWithTheReason() {
    String table = "driver_refusals";
    registry.applyTable(PROJECT, Tables.drivers(table, emptyHistory).build());

    assertThatThrownBy(() -> jobDetails().migrateOnlineLayout(request(table, "columnar")))
        .satisfies(
            e -> assertCode(e, Status.Code.INVALID_ARGUMENT, "layout: must be hash or packed"));
    assertThatThrownBy(() -> jobDetails().migrateOnlineLayout(request("", "packed")))
        .satisfies(e -> assertCode(e, Status.Code.INVALID_ARGUMENT, "table_name"));
    assertThatThrownBy(() -> jobDetails().migrateOnlineLayout(request("nope", "packed")))
        .satisfies(e -> assertCode(e, Status.Code.NOT_FOUND, "nope"));
    assertThatThrownBy(() -> jobDetails().migrateOnlineLayout(request(table, "hash")))
        .satisfies(
            e -> assertCode(e, Status.Code.FAILED_PRECONDITION, "already in the hash layout"));
    http.post()
        .uri("/api/v1/jobs/layout-migration")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"project\":\"%s\",\"tableName\":\"%s\"}".formatted(PROJECT, table))
        .exchange()
        .expectStatus()
        .isBadRequest();
  }

  private static void assertCode(Throwable error, Status.Code code, String message) {
    assertThat(error).isInstanceOf(StatusRuntimeException.class);
    Status status = ((StatusRuntimeException) error).getStatus();
    assertThat(status.getCode()).isEqualTo(code);
    assertThat(status.getDescription()).contains(message);
  }

  private static MigrateOnlineLayoutRequest request(String table, String layout) {
    return MigrateOnlineLayoutRequest.newBuilder()
        .setProject(PROJECT)
        .setTableName(table)
        .setLayout(layout)
        .build();
  }

  private static FeatureTable table(String name) {
    return registry
        .core()
        .getFeatureTable(
            GetFeatureTableRequest.newBuilder().setProject(PROJECT).setName(name).build())
        .getTable();
  }

  private static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  private static List<Long> concat(long firstTo, long secondFrom, long secondTo) {
    List<Long> drivers = new java.util.ArrayList<>();
    for (long d = 1; d <= firstTo; d++) {
      drivers.add(d);
    }
    for (long d = secondFrom + 1; d <= secondTo; d++) {
      drivers.add(d);
    }
    return drivers;
  }
}
