package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.larder.orchestrator.support.Kafka;
import io.larder.orchestrator.support.OnlineStore;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control loop: applying a table with a Kafka source starts its stream job, a spec change
 * replaces the job without losing a message, a delete stops it, and a cancelled job stays stopped
 * until a start is requested.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class StreamJobsIT extends OrchestratorTestBase {

  private static final String PROJECT = "streams_" + UUID.randomUUID().toString().substring(0, 6);
  private static Path batchFile;

  @BeforeAll
  static void registerEntity() throws Exception {
    batchFile = home.resolve("history.csv");
    Files.writeString(batchFile, "driver_id,trips,rating,ts\n");
    registry.applyEntity(PROJECT, "driver_id", ValueType.Enum.INT64);
  }

  @Test
  void appliedTableGetsAStreamJobThatIsReplacedOnChangeWithoutLossAndStoppedOnDelete()
      throws Exception {
    String table = "driver_stream";
    String topic = "it-rides-" + UUID.randomUUID();
    Instant applied = Instant.now();
    registry.applyTable(PROJECT, Tables.streamed(table, batchFile, topic).build());

    Job first = awaitOneActive(table, Duration.ofSeconds(5), JobStatus.JOB_STATUS_RUNNING);
    assertThat(Duration.between(applied, Instant.now())).isLessThan(Duration.ofSeconds(6));
    assertThat(first.getStreamIngestion().getTableName()).isEqualTo(table);

    try (Kafka kafka = new Kafka();
        OnlineStore redis = new OnlineStore(REDIS)) {
      long now = Instant.now().getEpochSecond();
      // The topic did not exist when the job started: it waits for it.
      for (long driver = 1; driver <= 20; driver++) {
        kafka.driverEvent(topic, driver, driver, 4.5, now);
      }
      await(
          () -> feature(redis, 20) != null,
          Duration.ofMinutes(3),
          () -> "the first messages in Redis; log:\n" + log(first.getId()));

      // Keep producing while the spec changes: every message must reach Redis.
      Kafka.SteadyEvents steady = kafka.steadyEvents(topic);
      try (steady) {
        registry.applyTable(
            PROJECT,
            Tables.streamed(table, batchFile, topic).setMaxAge(durationSeconds(86_400)).build());
        await(
            () -> job(first.getId()).getStatus() == JobStatus.JOB_STATUS_DONE,
            Duration.ofMinutes(4),
            () -> "the first job replaced; jobs: " + activeJobs(table));
        List<Job> active = activeJobs(table);
        assertThat(active).hasSize(1);
        assertThat(active.get(0).getId()).isNotEqualTo(first.getId());
        assertThat(active.get(0).getHash()).isNotEqualTo(first.getHash());
        assertThat(
                details(first.getId())
                    .getHistoryList()
                    .get(details(first.getId()).getHistoryCount() - 1)
                    .getReason())
            .contains("replaced by job " + active.get(0).getId());
        Thread.sleep(3000);
      }
      long last = steady.last();
      Job second = activeJobs(table).get(0);
      await(
          () -> feature(redis, last) != null,
          Duration.ofMinutes(2),
          () -> "the last message (" + last + ") in Redis; log:\n" + log(second.getId()));
      for (long driver = 1000; driver <= last; driver++) {
        assertThat(feature(redis, driver))
            .as("driver %d", driver)
            .isEqualTo(Value.newBuilder().setInt64Val(driver).build());
      }

      registry.deleteTable(PROJECT, table);
      await(
          () -> job(second.getId()).getStatus() == JobStatus.JOB_STATUS_DONE,
          Duration.ofMinutes(1),
          () -> "the job of the deleted table stopped");
      assertThat(activeJobs(table)).isEmpty();
    }
  }

  @Test
  void aCancelledStreamJobStaysStoppedUntilAStartIsRequested() throws Exception {
    String table = "driver_cancel";
    String topic = "it-cancel-" + UUID.randomUUID();
    registry.applyTable(PROJECT, Tables.streamed(table, batchFile, topic).build());
    Job first = awaitOneActive(table, Duration.ofSeconds(10), JobStatus.JOB_STATUS_RUNNING);

    jobs().cancelJob(CancelJobRequest.newBuilder().setJobId(first.getId()).build());

    assertThat(job(first.getId()).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ERROR);
    assertThat(details(first.getId()).getError()).contains("cancelled");
    Thread.sleep(3000);
    assertThat(activeJobs(table)).as("not restarted by the control loop").isEmpty();

    StartStreamToOnlineIngestionJobRequest start =
        StartStreamToOnlineIngestionJobRequest.newBuilder()
            .setProject(PROJECT)
            .setTableName(table)
            .build();
    String started = jobs().startStreamToOnlineIngestionJob(start).getId();
    assertThat(started).isNotEqualTo(first.getId());
    assertThat(jobs().startStreamToOnlineIngestionJob(start).getId())
        .as("idempotent")
        .isEqualTo(started);
    assertThat(activeJobs(table)).extracting(Job::getId).containsExactly(started);

    registry.deleteTable(PROJECT, table);
    await(
        () -> activeJobs(table).isEmpty(),
        Duration.ofMinutes(1),
        () -> "the job of the deleted table stopped");
  }

  @Test
  void aRegistryRestartDisturbsNoRunningStreamJobAndChangesAfterItArePickedUp() throws Exception {
    String table = "driver_stream";
    String topic = "it-restart-" + UUID.randomUUID();
    registry.applyTable(PROJECT, Tables.streamed(table, batchFile, topic).build());
    Job running = awaitOneActive(table, Duration.ofSeconds(10), JobStatus.JOB_STATUS_RUNNING);

    try (Kafka kafka = new Kafka();
        OnlineStore redis = new OnlineStore(REDIS)) {
      long now = Instant.now().getEpochSecond();
      kafka.driverEvent(topic, 5_001, 5_001, 4.5, now);
      await(
          () -> feature(redis, 5_001) != null,
          Duration.ofMinutes(3),
          () -> "the first message in Redis; log:\n" + log(running.getId()));

      registry.stop();
      try {
        for (long driver = 5_002; driver <= 5_020; driver++) {
          kafka.driverEvent(topic, driver, driver, 4.5, now);
        }
        await(
            () -> feature(redis, 5_020) != null,
            Duration.ofMinutes(2),
            () ->
                "messages sent while the registry is down in Redis; log:\n" + log(running.getId()));
        Thread.sleep(3000);
        assertThat(activeJobs(table))
            .as("the job runs on, neither stopped nor replaced, and the API answers")
            .extracting(Job::getId, Job::getStatus)
            .containsExactly(tuple(running.getId(), JobStatus.JOB_STATUS_RUNNING));
      } finally {
        registry.restart();
      }

      Thread.sleep(3000);
      assertThat(activeJobs(table)).extracting(Job::getId).containsExactly(running.getId());
      registry.deleteTable(PROJECT, table);
      await(
          () -> job(running.getId()).getStatus() == JobStatus.JOB_STATUS_DONE,
          Duration.ofMinutes(1),
          () -> "a change made after the restart (the table deleted) stops its job");
    }
  }

  private Job awaitOneActive(String table, Duration timeout, JobStatus status) {
    await(
        () -> activeJobs(table).stream().anyMatch(job -> job.getStatus() == status),
        timeout,
        () -> "a " + status + " stream job for " + table + "; jobs: " + activeJobs(table));
    return activeJobs(table).get(0);
  }

  private List<Job> activeJobs(String table) {
    return jobs().listJobs(ListJobsRequest.newBuilder().setTableName(table).build()).getJobsList();
  }

  private static Value feature(OnlineStore redis, long driver) {
    return redis.driverFeature(PROJECT, driver, "driver_stream", "trips", ValueType.Enum.INT64);
  }

  private static com.google.protobuf.Duration durationSeconds(long seconds) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
  }
}
