package io.larder.sdk.cli;

import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.sdk.JobFailedException;
import io.larder.sdk.LarderClient;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "jobs",
    description = "Starts, lists, describes and cancels jobs of the job service.",
    subcommands = {
      JobsCommand.SyncOfflineToOnline.class,
      JobsCommand.StartStream.class,
      JobsCommand.StopStream.class,
      JobsCommand.ListJobs.class,
      JobsCommand.Describe.class,
      JobsCommand.Cancel.class
    })
final class JobsCommand {

  static final List<String> COLUMNS = List.of("ID", "TYPE", "STATUS", "TABLE", "STARTED");

  static List<String> row(Job job) {
    String table =
        switch (job.getMetaCase()) {
          case BATCH_INGESTION -> job.getBatchIngestion().getTableName();
          case STREAM_INGESTION -> job.getStreamIngestion().getTableName();
          case RETRIEVAL -> job.getRetrieval().getOutputLocation();
          default -> "";
        };
    return List.of(
        job.getId(),
        job.getType().name(),
        job.getStatus().name().replace("JOB_STATUS_", ""),
        table,
        Instant.ofEpochSecond(job.getStartTime().getSeconds()).toString());
  }

  /** Waits for a job with progress; 0 when it ended DONE, else the job's failure. */
  static int await(LarderCommand command, LarderClient client, Job job, Duration timeout) {
    JobDetails done = client.awaitJob(job.getId(), timeout, Progress.forConsole(command.err()));
    if (done.getJob().getStatus() != JobStatus.JOB_STATUS_DONE) {
      throw new JobFailedException(done);
    }
    Output output = command.output();
    output.one(
        done,
        () ->
            command
                .out()
                .printf(
                    "job %s DONE: %d rows read, %d written, %d not newer%n",
                    job.getId(),
                    done.getProgress().getRowsRead(),
                    done.getProgress().getRowsWritten(),
                    done.getProgress().getRowsNotNewer()));
    return 0;
  }

  /**
   * ISO-8601 instant ({@code 2030-01-01T00:00:00Z}) or a date ({@code 2030-01-01}, UTC midnight).
   */
  static Instant time(String text, String option) {
    try {
      return text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "%s: '%s' is not a date (2030-01-01) or an ISO-8601 time (2030-01-01T00:00:00Z)"
              .formatted(option, text));
    }
  }

  @Command(
      name = "sync-offline-to-online",
      description = "Batch-ingests the table's batch source rows with event times in [START, END).")
  static final class SyncOfflineToOnline extends LarderCommand {
    @Option(
        names = {"-t", "--table"},
        required = true)
    String table;

    @Option(
        names = {"-s", "--start"},
        required = true,
        description = "e.g. 2030-01-01 or 2030-01-01T00:00:00Z")
    String start;

    @Option(
        names = {"-e", "--end"},
        required = true,
        description = "exclusive")
    String end;

    @Mixin JobWait waiting;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        Job job =
            client.startBatchIngestion(
                root().project, table, time(start, "--start"), time(end, "--end"));
        err().println("started job " + job.getId() + " (log " + job.getLogUri() + ")");
        return waiting.wait ? await(this, client, job, waiting.timeout) : printJob(job);
      }
    }

    private int printJob(Job job) {
      output().one(job, () -> out().println(job.getId()));
      return 0;
    }
  }

  @Command(
      name = "start-stream-to-online",
      description =
          "Starts the table's stream job (or answers the one running with its current spec).")
  static final class StartStream extends LarderCommand {
    @Option(
        names = {"-t", "--table"},
        required = true)
    String table;

    @Override
    int run() {
      Job job;
      try (LarderClient client = root().client()) {
        job = client.startStreamIngestion(root().project, table);
      }
      output()
          .one(
              job,
              () ->
                  out()
                      .println(
                          "stream job "
                              + job.getId()
                              + " "
                              + job.getStatus().name().replace("JOB_STATUS_", "")));
      return 0;
    }
  }

  @Command(
      name = "stop-stream-to-online",
      description =
          "Stops the table's stream job; it stays stopped until started again or the table changes.")
  static final class StopStream extends LarderCommand {
    @Option(
        names = {"-t", "--table"},
        required = true)
    String table;

    @Override
    int run() {
      List<Job> stopped;
      try (LarderClient client = root().client()) {
        client.getFeatureTable(root().project, table);
        stopped = client.stopStreamIngestion(root().project, table);
      }
      if (stopped.isEmpty()) {
        out().println("no stream job of " + root().project + "/" + table + " was running");
      }
      stopped.forEach(job -> out().println("stopped stream job " + job.getId()));
      return 0;
    }
  }

  @Command(name = "list", description = "Lists jobs (the active ones unless --all).")
  static final class ListJobs extends LarderCommand {
    @Option(
        names = {"-a", "--all"},
        description = "Ended jobs too.")
    boolean all;

    @Option(names = {"-t", "--table"})
    String table;

    @Override
    int run() {
      List<JobDetails> jobs;
      try (LarderClient client = root().client()) {
        jobs =
            client.listJobDetails(
                ListJobDetailsRequest.newBuilder()
                    .setIncludeTerminated(all)
                    .setProject(root().project)
                    .setTableName(table == null ? "" : table)
                    .build());
      }
      output().list(jobs, COLUMNS, details -> row(details.getJob()));
      return 0;
    }
  }

  @Command(name = "describe", description = "Shows a job: status, history, progress, error, log.")
  static final class Describe extends LarderCommand {
    @Parameters(paramLabel = "JOB_ID")
    String id;

    @Override
    int run() {
      JobDetails details;
      try (LarderClient client = root().client()) {
        details = client.getJobDetails(id);
      }
      output().message(details);
      return 0;
    }
  }

  @Command(name = "cancel", description = "Cancels a pending or running job.")
  static final class Cancel extends LarderCommand {
    @Parameters(paramLabel = "JOB_ID")
    String id;

    @Override
    int run() {
      Job job;
      try (LarderClient client = root().client()) {
        job = client.cancelJob(id);
      }
      output()
          .one(
              job,
              () ->
                  out()
                      .println(
                          "job " + id + " " + job.getStatus().name().replace("JOB_STATUS_", "")));
      return 0;
    }
  }
}
