package io.larder.sdk.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.LarderSettings;
import io.larder.sdk.Values;
import io.larder.sdk.training.EntityRows;
import io.larder.sdk.training.TrainingDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's whole flow through the SDK against the real stack (registry, job service, gateway,
 * Spark jobs, PostgreSQL, Redis, Kafka): definitions, batch ingestion, online lookup, a stream job
 * the job service starts, a point-in-time training set read back, stopping the stream job.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class EndToEndIT {

  private static final String PROJECT = "e2e_" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path home;
  private static LocalServices services;
  private static LarderClient larder;

  @BeforeAll
  static void startServices() throws Exception {
    services = new LocalServices(home);
    larder =
        LarderClient.connect(
            LarderSettings.defaults()
                .withRegistry("127.0.0.1:" + services.registryPort)
                .withJobService("127.0.0.1:" + services.jobServicePort)
                .withServing("127.0.0.1:" + services.servingPort)
                .withDeadline(Duration.ofSeconds(30))
                .withStagingDir(home.resolve("staging")));
  }

  @AfterAll
  static void stopServices() {
    if (larder != null) {
      larder.close();
    }
    if (services != null) {
      services.close();
    }
  }

  @Test
  void definitionsIngestionOnlineStreamAndTrainingThroughTheSdk() throws Exception {
    Path csv = home.resolve("driver_trips.csv");
    Files.writeString(
        csv,
        """
        driver_id,trips,rating,event_ts
        1001,3,4.5,2030-01-01T09:00:00Z
        1001,7,4.8,2030-01-01T10:00:00Z
        1002,2,4.1,2030-01-01T09:30:00Z
        """);
    larder.createProject(PROJECT);
    larder.applyEntity(
        PROJECT,
        EntitySpecV2.newBuilder().setName("driver_id").setValueType(ValueType.Enum.INT64).build());
    larder.applyFeatureTable(PROJECT, table("driver_trips", csv.toUri().toString(), null));
    assertThat(larder.listFeatureTables(PROJECT))
        .extracting(t -> t.getSpec().getName())
        .containsExactly("driver_trips");

    // Batch ingestion, waited for with progress.
    Job batch =
        larder.startBatchIngestion(
            PROJECT,
            "driver_trips",
            Instant.parse("2030-01-01T00:00:00Z"),
            Instant.parse("2030-01-02T00:00:00Z"));
    List<JobDetails> seen = new ArrayList<>();
    JobDetails done = larder.awaitJob(batch.getId(), JOB_TIMEOUT, seen::add);
    assertThat(done.getJob().getStatus()).as(done.getError()).isEqualTo(JobStatus.JOB_STATUS_DONE);
    assertThat(done.getProgress().getRowsRead()).isEqualTo(3);
    assertThat(seen).isNotEmpty();

    // Online: the newest row per driver.
    GetOnlineFeaturesResponse online =
        await(
            () ->
                larder.getOnlineFeatures(
                    PROJECT,
                    List.of("driver_trips:trips", "driver_trips:rating"),
                    List.of(
                        Values.entityRow("driver_id", 1001L),
                        Values.entityRow("driver_id", 1002L))),
            response ->
                response.getFieldValuesCount() == 2
                    && response.getFieldValues(1).getStatusesOrDefault("driver_trips:trips", null)
                        == FieldStatus.PRESENT,
            Duration.ofSeconds(60));
    assertThat(Values.toJava(online.getFieldValues(0).getFieldsOrThrow("driver_trips:trips")))
        .isEqualTo(7L);
    assertThat(Values.toJava(online.getFieldValues(0).getFieldsOrThrow("driver_trips:rating")))
        .isEqualTo(4.8);
    assertThat(Values.toJava(online.getFieldValues(1).getFieldsOrThrow("driver_trips:trips")))
        .isEqualTo(2L);

    // Stream: applying a table with a Kafka source starts its job; an event is served.
    String topic = "e2e-" + PROJECT;
    larder.applyFeatureTable(
        PROJECT, table("driver_live", home.resolve("offline").toUri().toString(), topic));
    await(
        () -> streamJobs("driver_live"),
        jobs -> jobs.stream().anyMatch(j -> j.getJob().getStatus() == JobStatus.JOB_STATUS_RUNNING),
        Duration.ofSeconds(30));
    produce(
        topic,
        "{\"driver_id\": 2001, \"trips\": 12, \"rating\": 4.9, \"event_ts\": %d}"
            .formatted(Instant.now().getEpochSecond()));
    GetOnlineFeaturesResponse live =
        await(
            () ->
                larder.getOnlineFeatures(
                    PROJECT,
                    List.of("driver_live:trips"),
                    List.of(Values.entityRow("driver_id", 2001L))),
            response ->
                response.getFieldValues(0).getStatusesOrDefault("driver_live:trips", null)
                    == FieldStatus.PRESENT,
            Duration.ofMinutes(3));
    assertThat(Values.toJava(live.getFieldValues(0).getFieldsOrThrow("driver_live:trips")))
        .isEqualTo(12L);

    // Training: entity rows held in memory, staged for the job, the result read without Spark.
    TrainingDataset training =
        larder.getHistoricalFeatures(
            PROJECT,
            List.of("driver_trips:trips", "driver_trips:rating"),
            EntityRows.of(
                List.of(
                    Map.of(
                        "driver_id",
                        1001L,
                        "event_timestamp",
                        Instant.parse("2030-01-01T09:30:00Z")),
                    Map.of(
                        "driver_id",
                        1001L,
                        "event_timestamp",
                        Instant.parse("2030-01-01T12:00:00Z")),
                    Map.of(
                        "driver_id",
                        1002L,
                        "event_timestamp",
                        Instant.parse("2030-01-01T09:00:00Z"))),
                "event_timestamp"),
            home.resolve("training").toString(),
            JOB_TIMEOUT,
            details -> {});
    List<Map<String, Object>> rows = new ArrayList<>(training.head(10));
    rows.sort(
        Comparator.comparing((Map<String, Object> r) -> ((Number) r.get("driver_id")).longValue())
            .thenComparing(r -> String.valueOf(r.get("event_timestamp"))));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("driver_trips__trips")).isEqualTo(3L);
    assertThat(rows.get(1).get("driver_trips__trips")).isEqualTo(7L);
    assertThat(rows.get(1).get("driver_trips__rating")).isEqualTo(4.8);
    assertThat(rows.get(2).get("driver_trips__trips")).as("before its first row").isNull();

    // Stopping the stream job; bad input is refused with the service's status.
    List<Job> stopped = larder.stopStreamIngestion(PROJECT, "driver_live");
    assertThat(stopped).hasSize(1);
    assertThat(streamJobs("driver_live"))
        .noneMatch(j -> j.getJob().getStatus() == JobStatus.JOB_STATUS_RUNNING);
    assertThatThrownBy(() -> larder.getFeatureTable(PROJECT, "no_such_table"))
        .isInstanceOfSatisfying(
            LarderException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.badRequest()).isTrue();
              assertThat(e.getMessage()).contains("registry at 127.0.0.1:" + services.registryPort);
            });
  }

  private static FeatureTableSpec table(String name, String batchUrl, String topic) {
    return DriverTables.driverTable(name, batchUrl, topic)
        .addFeatures(
            FeatureSpecV2.newBuilder().setName("rating").setValueType(ValueType.Enum.DOUBLE))
        .build();
  }

  private static List<JobDetails> streamJobs(String table) {
    return larder.listJobDetails(
        ListJobDetailsRequest.newBuilder()
            .setProject(PROJECT)
            .setTableName(table)
            .setType(JobType.STREAM_INGESTION_JOB)
            .build());
  }

  private static void produce(String topic, String json) throws Exception {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.KAFKA);
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
      producer.send(new ProducerRecord<>(topic, json)).get(30, TimeUnit.SECONDS);
    }
  }

  private static <T> T await(
      Supplier<T> call, java.util.function.Predicate<T> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = call.get();
        if (done.test(last)) {
          return last;
        }
      } catch (LarderException e) {
        lastError = e; // e.g. the gateway has not seen the new table yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not within " + timeout + "; last answer " + last, lastError);
  }
}
