package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.orchestrator.support.OnlineStore;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesResponse;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;

/**
 * Batch ingestion and point-in-time retrieval requested over the Feast JobService, run by Spark in
 * child processes, read back from Redis and from the parquet they wrote; and every refusal.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BatchAndRetrievalJobsIT extends OrchestratorTestBase {

  private static final String PROJECT = "rides_" + UUID.randomUUID().toString().substring(0, 6);
  private static Path trips;

  @BeforeAll
  static void registerTables() throws Exception {
    trips = home.resolve("driver_trips.csv");
    Files.writeString(
        trips,
        """
        driver_id,trips,rating,ts
        1001,3,4.5,2030-01-01T09:00:00Z
        1001,7,4.8,2030-01-01T10:00:00Z
        1002,2,4.1,2030-01-01T09:30:00Z
        1003,9,3.9,2030-01-02T09:30:00Z
        """);
    registry.applyEntity(PROJECT, "driver_id", ValueType.Enum.INT64);
    registry.applyTable(PROJECT, Tables.drivers("driver_trips", trips).build());
    registry.applyTable(
        PROJECT, Tables.drivers("broken", home.resolve("does-not-exist.parquet")).build());
  }

  @Test
  void batchIngestionEndsDoneAndItsRowsAreInRedis() {
    StartOfflineToOnlineIngestionJobResponse started =
        jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(PROJECT)
                    .setTableName("driver_trips")
                    .setStartDate(time("2030-01-01T00:00:00Z"))
                    .setEndDate(time("2030-01-02T00:00:00Z"))
                    .build());
    assertThat(started.getId()).startsWith("batch-");
    assertThat(started.getTableName()).isEqualTo("driver_trips");
    assertThat(started.getLogUri()).startsWith("file:").endsWith("job.log");

    JobDetails done = awaitEnd(started.getId(), Duration.ofMinutes(3));

    assertThat(done.getJob().getStatus())
        .as("log:%n%s", log(started.getId()))
        .isEqualTo(JobStatus.JOB_STATUS_DONE);
    assertThat(done.getJob().getType()).isEqualTo(JobType.BATCH_INGESTION_JOB);
    assertThat(done.getJob().getBatchIngestion().getTableName()).isEqualTo("driver_trips");
    assertThat(done.getJob().getHash()).isNotEmpty();
    assertThat(done.getProgress().getRowsRead()).isEqualTo(3);
    assertThat(done.getProgress().getRowsWritten()).isEqualTo(2);
    assertThat(done.getApplicationId()).isNotEmpty();
    assertThat(done.getPid()).isPositive();
    assertThat(done.hasEndTime()).isTrue();
    assertThat(done.getHistoryList())
        .extracting(change -> change.getStatus())
        .containsExactly(
            JobStatus.JOB_STATUS_PENDING, JobStatus.JOB_STATUS_RUNNING, JobStatus.JOB_STATUS_DONE);
    try (OnlineStore redis = new OnlineStore(REDIS)) {
      assertThat(redis.driverFeature(PROJECT, 1001, "driver_trips", "trips", ValueType.Enum.INT64))
          .isEqualTo(Value.newBuilder().setInt64Val(7).build());
      assertThat(
              redis.driverFeature(PROJECT, 1002, "driver_trips", "rating", ValueType.Enum.DOUBLE))
          .isEqualTo(Value.newBuilder().setDoubleVal(4.1).build());
      // Outside [start, end): not ingested.
      assertThat(redis.driverFeature(PROJECT, 1003, "driver_trips", "trips", ValueType.Enum.INT64))
          .isNull();
    }
    // The same job over HTTP, and in both listings.
    http.get()
        .uri("/api/v1/jobs/{id}", started.getId())
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.job.status")
        .isEqualTo("JOB_STATUS_DONE")
        .jsonPath("$.job.batchIngestion.tableName")
        .isEqualTo("driver_trips");
    assertThat(
            jobs()
                .listJobs(
                    ListJobsRequest.newBuilder()
                        .setIncludeTerminated(true)
                        .setTableName("driver_trips")
                        .build())
                .getJobsList())
        .extracting(Job::getId)
        .contains(started.getId());
    assertThat(jobs().listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .extracting(Job::getId)
        .doesNotContain(started.getId());
  }

  @Test
  void historicalRetrievalEndsDoneWithTheParquetAtTheReturnedUri() throws Exception {
    Path entities = home.resolve("entities.csv");
    Files.writeString(
        entities,
        """
        driver_id,event_timestamp
        1001,2030-01-01T09:30:00Z
        1001,2030-01-01T11:00:00Z
        1002,2030-01-01T09:00:00Z
        """);
    GetHistoricalFeaturesResponse started =
        jobs()
            .getHistoricalFeatures(
                GetHistoricalFeaturesRequest.newBuilder()
                    .setProject(PROJECT)
                    .addFeatureRefs("driver_trips:trips")
                    .addFeatureRefs("driver_trips:rating")
                    .setEntitySource(fileSource(entities.toUri().toString()))
                    .setOutputLocation(home.resolve("datasets").toString())
                    .setOutputFormat("parquet")
                    .build());
    assertThat(started.getOutputFileUri()).startsWith("file:").contains(started.getId());

    JobDetails done = awaitEnd(started.getId(), Duration.ofMinutes(3));

    assertThat(done.getJob().getStatus())
        .as("log:%n%s", log(started.getId()))
        .isEqualTo(JobStatus.JOB_STATUS_DONE);
    assertThat(done.getJob().getRetrieval().getOutputLocation())
        .isEqualTo(started.getOutputFileUri());
    assertThat(done.getProgress().getRowsOutput()).isEqualTo(3);
    Path output = Path.of(java.net.URI.create(started.getOutputFileUri()));
    List<String> rows = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet result =
            duck.createStatement()
                .executeQuery(
                    "select driver_id, driver_trips__trips, driver_trips__rating from read_parquet('"
                        + output
                        + "/*.parquet') order by driver_id, event_timestamp")) {
      while (result.next()) {
        rows.add(result.getLong(1) + ":" + result.getObject(2) + ":" + result.getObject(3));
      }
    }
    assertThat(rows).containsExactly("1001:3:4.5", "1001:7:4.8", "1002:null:null");
  }

  @Test
  void aScheduledTableIsIngestedOnScheduleInWindowsWithoutGaps() throws Exception {
    Path scheduled = home.resolve("scheduled.csv");
    Files.writeString(
        scheduled,
        """
        driver_id,trips,rating,ts
        2001,5,4.0,2026-01-01T10:00:00Z
        """);
    registry.applyTable(
        PROJECT,
        Tables.drivers("scheduled_trips", scheduled)
            .putLabels("larder.io/ingest-every", "5s")
            .putLabels("larder.io/ingest-from", "2026-01-01T00:00:00Z")
            .build());

    await(
        () -> scheduledDone("scheduled_trips").size() >= 2,
        Duration.ofMinutes(4),
        () -> "two scheduled runs; jobs: " + scheduledDone("scheduled_trips"));

    List<JobDetails> runs = scheduledDone("scheduled_trips");
    JobDetails first = runs.get(runs.size() - 1);
    JobDetails second = runs.get(runs.size() - 2);
    assertThat(first.getWindowStart().getSeconds())
        .isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z").getEpochSecond());
    assertThat(second.getWindowStart()).as("no gap").isEqualTo(first.getWindowEnd());
    assertThat(first.getProgress().getRowsWritten()).isEqualTo(1);
    try (OnlineStore redis = new OnlineStore(REDIS)) {
      assertThat(
              redis.driverFeature(PROJECT, 2001, "scheduled_trips", "trips", ValueType.Enum.INT64))
          .isEqualTo(Value.newBuilder().setInt64Val(5).build());
    }
  }

  private List<JobDetails> scheduledDone(String table) {
    return jobDetails()
        .listJobDetails(
            io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest.newBuilder()
                .setIncludeTerminated(true)
                .setTableName(table)
                .build())
        .getJobsList()
        .stream()
        .filter(job -> job.getScheduled() && job.getJob().getStatus() == JobStatus.JOB_STATUS_DONE)
        .toList();
  }

  @Test
  void aSparkJobThatFailsEndsErrorWithItsMessage() {
    String id =
        jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(PROJECT)
                    .setTableName("broken")
                    .setStartDate(time("2030-01-01T00:00:00Z"))
                    .setEndDate(time("2030-01-02T00:00:00Z"))
                    .build())
            .getId();

    JobDetails failed = awaitEnd(id, Duration.ofMinutes(3));

    assertThat(failed.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_ERROR);
    assertThat(failed.getError()).contains("does-not-exist");
    assertThat(log(id)).contains("does-not-exist");
  }

  @Test
  void cancellingAFinishedJobIsAFailedPrecondition() {
    String id =
        jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(PROJECT)
                    .setTableName("broken")
                    .setStartDate(time("2030-01-01T00:00:00Z"))
                    .setEndDate(time("2030-01-02T00:00:00Z"))
                    .build())
            .getId();
    awaitEnd(id, Duration.ofMinutes(3));

    assertCode(
        () -> jobs().cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()),
        Status.Code.FAILED_PRECONDITION,
        "already ended");
  }

  @Test
  void badRequestsAreRefusedNamingTheField() {
    Timestamp start = time("2030-01-01T00:00:00Z");
    Timestamp end = time("2030-01-02T00:00:00Z");
    StartOfflineToOnlineIngestionJobRequest batch =
        StartOfflineToOnlineIngestionJobRequest.newBuilder()
            .setProject(PROJECT)
            .setTableName("driver_trips")
            .setStartDate(start)
            .setEndDate(end)
            .build();
    assertCode(
        () ->
            jobs().startOfflineToOnlineIngestionJob(batch.toBuilder().setTableName("nope").build()),
        Status.Code.NOT_FOUND,
        "feature table 'nope'");
    assertCode(
        () -> jobs().startOfflineToOnlineIngestionJob(batch.toBuilder().setEndDate(start).build()),
        Status.Code.INVALID_ARGUMENT,
        "end_date");
    assertCode(
        () -> jobs().startOfflineToOnlineIngestionJob(batch.toBuilder().clearStartDate().build()),
        Status.Code.INVALID_ARGUMENT,
        "start_date");
    assertCode(
        () -> jobs().startOfflineToOnlineIngestionJob(batch.toBuilder().setTableName("").build()),
        Status.Code.INVALID_ARGUMENT,
        "table_name");

    GetHistoricalFeaturesRequest retrieval =
        GetHistoricalFeaturesRequest.newBuilder()
            .setProject(PROJECT)
            .addFeatureRefs("driver_trips:trips")
            .setEntitySource(fileSource(trips.toUri().toString()))
            .build();
    assertCode(
        () -> jobs().getHistoricalFeatures(retrieval.toBuilder().clearFeatureRefs().build()),
        Status.Code.INVALID_ARGUMENT,
        "feature_refs");
    assertCode(
        () -> jobs().getHistoricalFeatures(retrieval.toBuilder().addFeatureRefs("trips").build()),
        Status.Code.INVALID_ARGUMENT,
        "feature_refs[1]");
    assertCode(
        () ->
            jobs()
                .getHistoricalFeatures(
                    retrieval.toBuilder().addFeatureRefs("driver_trips:speed").build()),
        Status.Code.INVALID_ARGUMENT,
        "has no feature 'speed'");
    assertCode(
        () ->
            jobs()
                .getHistoricalFeatures(
                    retrieval.toBuilder().addFeatureRefs("no_table:speed").build()),
        Status.Code.NOT_FOUND,
        "no_table");
    assertCode(
        () ->
            jobs()
                .getHistoricalFeatures(
                    retrieval.toBuilder()
                        .setEntitySource(fileSource(home.resolve("missing.csv").toString()))
                        .build()),
        Status.Code.INVALID_ARGUMENT,
        "entity_source");
    assertCode(
        () -> jobs().getHistoricalFeatures(retrieval.toBuilder().clearEntitySource().build()),
        Status.Code.INVALID_ARGUMENT,
        "entity_source");
    assertCode(
        () -> jobs().getHistoricalFeatures(retrieval.toBuilder().setOutputFormat("avro").build()),
        Status.Code.INVALID_ARGUMENT,
        "output_format");

    assertCode(
        () -> jobs().getJob(GetJobRequest.newBuilder().setJobId("batch-nope").build()),
        Status.Code.NOT_FOUND,
        "batch-nope");
    assertCode(
        () -> jobs().cancelJob(CancelJobRequest.newBuilder().setJobId("batch-nope").build()),
        Status.Code.NOT_FOUND,
        "batch-nope");
    assertCode(
        () ->
            jobs()
                .startStreamToOnlineIngestionJob(
                    StartStreamToOnlineIngestionJobRequest.newBuilder()
                        .setProject(PROJECT)
                        .setTableName("driver_trips")
                        .build()),
        Status.Code.FAILED_PRECONDITION,
        "no Kafka stream source");

    // The same refusals over HTTP, as problem+json.
    http.get()
        .uri("/api/v1/jobs/batch-nope")
        .exchange()
        .expectStatus()
        .isNotFound()
        .expectHeader()
        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.code")
        .isEqualTo("NOT_FOUND");
    http.post()
        .uri("/api/v1/jobs/batch-ingestion")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(
            "{\"project\": \""
                + PROJECT
                + "\", \"tableName\": \"driver_trips\", \"startDate\": \"2030-01-02T00:00:00Z\","
                + " \"endDate\": \"2030-01-01T00:00:00Z\"}")
        .exchange()
        .expectStatus()
        .isBadRequest()
        .expectBody()
        .jsonPath("$.detail")
        .value(detail -> assertThat((String) detail).contains("end_date"));
    http.post()
        .uri("/api/v1/jobs/batch-ingestion")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"tableNam\": 1}")
        .exchange()
        .expectStatus()
        .isBadRequest();
  }

  private static DataSource fileSource(String url) {
    return DataSource.newBuilder()
        .setType(DataSource.SourceType.BATCH_FILE)
        .setEventTimestampColumn("event_timestamp")
        .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(url))
        .build();
  }

  static Timestamp time(String iso) {
    java.time.Instant instant = java.time.Instant.parse(iso);
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }

  static void assertCode(Runnable call, Status.Code code, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            error -> {
              assertThat(error.getStatus().getCode()).isEqualTo(code);
              assertThat(error.getStatus().getDescription()).contains(message);
            });
  }
}
