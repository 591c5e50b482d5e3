package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped under a running orchestrator: requests fail UNAVAILABLE at once, the running
 * stream job keeps running, and what happened to a job meanwhile (here: its process died) is
 * written once PostgreSQL is back.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PostgresOutageIT extends OrchestratorTestBase {

  @Test
  void requestsFailFastJobsKeepRunningAndStatesAreWrittenWhenPostgresReturns() throws Exception {
    String project = "outage_" + UUID.randomUUID().toString().substring(0, 6);
    Path history = home.resolve("history.csv");
    Files.writeString(history, "driver_id,trips,rating,ts\n");
    registry.applyEntity(project, "driver_id", ValueType.Enum.INT64);
    registry.applyTable(
        project, Tables.streamed("events", history, "it-outage-" + UUID.randomUUID()).build());
    await(
        () -> active("events").size() == 1,
        Duration.ofSeconds(30),
        () -> "a stream job for the table");
    Job job = active("events").get(0);
    // Listed as soon as it is recorded; its process may not have been started yet.
    await(
        () -> details(job.getId()).getPid() > 0,
        Duration.ofSeconds(60),
        () -> "the job's process started; " + details(job.getId()));
    long pid = details(job.getId()).getPid();

    stack("stop");
    try {
      long started = System.nanoTime();
      assertThatThrownBy(() -> jobs().listJobs(ListJobsRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              error -> {
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(error.getStatus().getDescription()).contains("PostgreSQL");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      http.get().uri("/api/v1/jobs").exchange().expectStatus().isEqualTo(503);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

      // The job's process dies while its end cannot be written.
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      Thread.sleep(3000);
    } finally {
      stack("start");
    }

    await(
        () -> {
          JobDetails now = details(job.getId());
          return now.getAttempts() >= 2 && now.getJob().getStatus() == JobStatus.JOB_STATUS_RUNNING;
        },
        Duration.ofMinutes(2),
        () -> "the death recorded and the job restarted; " + details(job.getId()));
    JobDetails after = details(job.getId());
    assertThat(after.getPid()).isNotEqualTo(pid);
    assertThat(after.getHistoryList())
        .extracting(change -> change.getStatus())
        .containsSubsequence(
            JobStatus.JOB_STATUS_RUNNING,
            JobStatus.JOB_STATUS_PENDING,
            JobStatus.JOB_STATUS_RUNNING);
    registry.deleteTable(project, "events");
    await(() -> active("events").isEmpty(), Duration.ofMinutes(1), () -> "the job stopped");
  }

  private List<Job> active(String table) {
    return jobs().listJobs(ListJobsRequest.newBuilder().setTableName(table).build()).getJobsList();
  }

  /** scripts/stack start|stop postgres: the project's own script, the stack the tests share. */
  private static void stack(String action) throws Exception {
    Process process =
        new ProcessBuilder("../scripts/stack", action, "postgres")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/stack-outage.log")))
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS))
        .as("scripts/stack %s postgres", action)
        .isTrue();
    assertThat(process.exitValue()).as("scripts/stack %s postgres", action).isZero();
  }
}
