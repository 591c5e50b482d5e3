package io.larder.loadtest.jobs;

import com.google.protobuf.Timestamp;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.StatusChange;
import io.larder.sdk.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Launch overhead of a small batch-ingestion job: registers a table over a CSV it writes, then
 * requests StartOfflineToOnlineIngestionJob {@code --runs} times, one after the other. Per run:
 * request → RUNNING and request → DONE (from the job's status history, written by the orchestrator
 * on the same host's clock), the job's own {@code progress.seconds}, and the overhead = DONE − own
 * seconds (JVM and Spark start-up, dispatch, and recording the end).
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Measures the launch overhead of small batch-ingestion jobs.")
final class BatchLaunchCommand implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--table",
      defaultValue = "batch_rows",
      description = "Feature table name (default: ${DEFAULT-VALUE}).")
  String table;

  @Option(
      names = "--rows",
      defaultValue = "5000",
      description = "CSV rows (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--csv", required = true, description = "Where to write the CSV.")
  Path csv;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Jobs requested, sequentially (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--poll",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "How often a job's details are read while it runs (default: ${DEFAULT-VALUE}).")
  Duration poll;

  @Option(
      names = "--job-timeout",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "Longest wait for one job to end (default: ${DEFAULT-VALUE}).")
  Duration jobTimeout;

  @Override
  public Integer call() throws Exception {
    BenchTables.writeCsv(csv, rows);
    try (BenchClients clients = new BenchClients(connection)) {
      clients.registry().applyEntity(BenchTables.entity(connection.project));
      clients.registry().applyFeatureTable(BenchTables.batchTable(connection.project, table, csv));
      System.out.printf(
          "registered %s/%s over %s (%,d rows)%n", connection.project, table, csv, rows);
      int failed = 0;
      for (int run = 1; run <= runs; run++) {
        if (!measure(clients, run)) {
          failed++;
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  private boolean measure(BenchClients clients, int run) throws Exception {
    Instant requested = Instant.now();
    StartOfflineToOnlineIngestionJobResponse started =
        clients
            .jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(connection.project)
                    .setTableName(table)
                    .setStartDate(timestamp(BenchTables.BATCH_START))
                    .setEndDate(timestamp(BenchTables.BATCH_END))
                    .build());
    double answeredS = secondsBetween(requested, Instant.now());
    JobDetails details = awaitEnd(clients, started.getId());
    double seenEndS = secondsBetween(requested, Instant.now());
    JobStatus status = details.getJob().getStatus();
    Optional<Instant> running = entered(details, JobStatus.JOB_STATUS_RUNNING);
    Instant ended = details.hasEndTime() ? instant(details.getEndTime()) : null;
    double toRunningS = running.map(at -> secondsBetween(requested, at)).orElse(Double.NaN);
    double toEndS = ended == null ? seenEndS : secondsBetween(requested, ended);
    double jobS = details.hasProgress() ? details.getProgress().getSeconds() : Double.NaN;
    System.out.printf(
        Locale.ROOT,
        "run %d: job %s %s; answered in %.3f s, RUNNING after %.3f s, ended after %.3f s"
            + " (seen %.3f s), job's own %.3f s, %d rows read, %d written, %d not newer%s%n",
        run,
        started.getId(),
        status,
        answeredS,
        toRunningS,
        toEndS,
        seenEndS,
        jobS,
        details.getProgress().getRowsRead(),
        details.getProgress().getRowsWritten(),
        details.getProgress().getRowsNotNewer(),
        details.getError().isEmpty() ? "" : "; error: " + details.getError());
    new ResultLine("batch_launch")
        .put("run", run)
        .put("job", started.getId())
        .put("status", status.name().replace("JOB_STATUS_", ""))
        .put("rows", rows)
        .put("rows_read", details.getProgress().getRowsRead())
        .seconds("answered_s", answeredS)
        .seconds("to_running_s", toRunningS)
        .seconds("to_done_s", toEndS)
        .seconds("seen_done_s", seenEndS)
        .seconds("job_s", jobS)
        .seconds("overhead_s", toEndS - jobS)
        .emit(connection.results);
    return status == JobStatus.JOB_STATUS_DONE;
  }

  private JobDetails awaitEnd(BenchClients clients, String jobId) throws InterruptedException {
    long until = System.nanoTime() + jobTimeout.toNanos();
    while (true) {
      JobDetails details = clients.details(jobId);
      if (BenchClients.terminal(details.getJob().getStatus())) {
        return details;
      }
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            "job " + jobId + " did not end within " + jobTimeout + ": " + details);
      }
      Thread.sleep(poll.toMillis());
    }
  }

  static Optional<Instant> entered(JobDetails details, JobStatus status) {
    return details.getHistoryList().stream()
        .filter(change -> change.getStatus() == status)
        .map(StatusChange::getAt)
        .map(BatchLaunchCommand::instant)
        .findFirst();
  }

  static double secondsBetween(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
