package io.larder.orchestrator.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.launcher.JobFiles;
import io.larder.orchestrator.launcher.JobLaunch;
import io.larder.orchestrator.launcher.JobLauncher;
import io.larder.orchestrator.launcher.LaunchedJob;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobsProto.JobResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Launches jobs, follows their processes and writes what became of them: the one place where a
 * job's process and its row meet. Every state change is written before the next action (the intent
 * before a launch, the stop reason before a stop), so a crash leaves a row that says what to adopt
 * or finish, never a twin.
 */
@Component
class JobExecutor {

  private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);
  private static final JsonFormat.Parser RESULT_PARSER =
      JsonFormat.parser().ignoringUnknownFields();

  private final JobStore store;
  private final JobLauncher launcher;
  private final OrchestratorProperties properties;
  private final JobMetrics metrics;
  private final Map<String, LaunchedJob> running = new ConcurrentHashMap<>();
  // Jobs whose end is being written (possibly retried while PostgreSQL is down).
  private final java.util.Set<String> ending = ConcurrentHashMap.newKeySet();
  private final Sinks.Many<JobRow> changes = Sinks.many().multicast().directBestEffort();

  JobExecutor(
      JobStore store, JobLauncher launcher, OrchestratorProperties properties, JobMetrics metrics) {
    this.store = store;
    this.launcher = launcher;
    this.properties = properties;
    this.metrics = metrics;
  }

  /** Jobs that ended or died, as their rows were written. */
  Flux<JobRow> exits() {
    return changes.asFlux();
  }

  JobFiles files(String jobId) {
    return JobFiles.of(properties.homeDir(), jobId);
  }

  /** Whether this orchestrator follows a live process of the job. */
  boolean following(String jobId) {
    return running.containsKey(jobId) || ending.contains(jobId);
  }

  /**
   * Records the job as RUNNING (the intent), launches it, then records its process. A launch that
   * fails ends the job ERROR with the reason.
   */
  Mono<JobRow> launch(JobRow job, String reason) {
    JobFiles files = files(job.id());
    String master = properties.spark().master();
    return store
        .modify(
            job.id(),
            row ->
                row.terminal() || row.stopRequested()
                    ? row
                    : row.toBuilder()
                        .status(JobStatus.JOB_STATUS_RUNNING)
                        .attempts(row.attempts() + 1)
                        .startedAt(row.startedAt() == null ? Instant.now() : row.startedAt())
                        .nextAttemptAt(null)
                        .sparkMaster(master)
                        .logUri(files.logUri())
                        .ready(false)
                        .pid(0)
                        .build(),
            reason)
        .flatMap(
            intent ->
                intent.terminal() || intent.stopRequested()
                    ? Mono.just(intent)
                    : launcher
                        .launch(
                            new JobLaunch(
                                job.id(),
                                application(job),
                                job.specJson(),
                                files,
                                master,
                                properties.spark().conf()))
                        .flatMap(
                            launched -> {
                              running.put(job.id(), launched);
                              follow(launched);
                              metrics.launched(intent);
                              return store.modify(
                                  job.id(),
                                  row ->
                                      row.toBuilder()
                                          .pid(launched.pid())
                                          .host(launched.host())
                                          .build(),
                                  "");
                            })
                        .onErrorResume(
                            error ->
                                store
                                    .modify(
                                        job.id(),
                                        row ->
                                            ended(
                                                row,
                                                JobStatus.JOB_STATUS_ERROR,
                                                "launch failed: " + error.getMessage()),
                                        "launch failed")
                                    .doOnNext(this::announce)));
  }

  /**
   * Picks up a job whose row says it runs: its process when it still lives on this host, else what
   * it left behind (its result file).
   */
  Mono<JobRow> adopt(JobRow job) {
    return Mono.fromCallable(() -> launcher.find(job, files(job.id())))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(
            found -> {
              if (found.isPresent()) {
                LaunchedJob launched = found.get();
                running.put(job.id(), launched);
                follow(launched);
                log.atInfo()
                    .addKeyValue("job_id", job.id())
                    .log("job {} adopted: its process {} still runs", job.id(), launched.pid());
                return store.modify(
                    job.id(),
                    row -> row.toBuilder().pid(launched.pid()).host(launched.host()).build(),
                    "");
              }
              log.atInfo()
                  .addKeyValue("job_id", job.id())
                  .log("job {} no longer runs; recording how it ended", job.id());
              return exited(job.id(), LaunchedJob.UNKNOWN_EXIT);
            });
  }

  /**
   * Stops a job: records why first, then TERM (KILL after the grace period). Completes when the
   * job's final row is written.
   */
  Mono<JobRow> stop(String jobId, String reason, JobStatus endStatus) {
    return store
        .modify(
            jobId,
            row ->
                row.terminal() || row.stopRequested()
                    ? row
                    : row.toBuilder().stopReason(reason).stopStatus(endStatus).build(),
            "")
        .flatMap(
            row -> {
              if (row.terminal()) {
                return Mono.just(row);
              }
              LaunchedJob launched = running.get(jobId);
              if (launched != null) {
                log.atInfo()
                    .addKeyValue("job_id", jobId)
                    .log("stopping job {} (pid {}): {}", jobId, launched.pid(), reason);
                return launcher
                    .stop(launched, properties.stopGrace())
                    .then(launched.exit())
                    .then(awaitEnd(jobId));
              }
              if (row.status() == JobStatus.JOB_STATUS_PENDING) {
                return store
                    .modify(jobId, pending -> endedByStop(pending), row.stopReason())
                    .doOnNext(this::announce);
              }
              // RUNNING without a followed process: look for it once more, else it is gone.
              return Mono.fromCallable(() -> launcher.find(row, files(jobId)))
                  .subscribeOn(Schedulers.boundedElastic())
                  .flatMap(
                      found ->
                          found.isPresent()
                              ? launcher
                                  .stop(found.get(), properties.stopGrace())
                                  .then(exited(jobId, LaunchedJob.UNKNOWN_EXIT))
                              : exited(jobId, LaunchedJob.UNKNOWN_EXIT));
            });
  }

  /**
   * A stream job's latest progress report, recorded when it changed; the job is ready once the
   * report says its query ingests (a batch done, or its topic found idle).
   */
  Mono<JobRow> refreshProgress(JobRow job) {
    return Mono.fromCallable(() -> read(files(job.id()).progress()))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(
            progress ->
                progress.isEmpty() || progress.get().equals(job.progressJson())
                    ? Mono.just(job)
                    : store.modify(
                        job.id(),
                        row ->
                            row.status() != JobStatus.JOB_STATUS_RUNNING
                                ? row
                                : row.toBuilder()
                                    .progressJson(progress.get())
                                    .applicationId(applicationId(progress.get(), row))
                                    .ready(
                                        row.ready()
                                            || parse(progress.get())
                                                .map(JobResult::getReady)
                                                .orElse(false))
                                    .build(),
                        ""));
  }

  private void follow(LaunchedJob launched) {
    launched
        .exit()
        .flatMap(code -> exited(launched.jobId(), code))
        .subscribe(
            row -> {},
            error ->
                log.error(
                    "job {}: could not record how its process ended", launched.jobId(), error));
  }

  /** Writes what became of a job whose process ended, retrying until the store takes it. */
  private Mono<JobRow> exited(String jobId, int exitCode) {
    ending.add(jobId);
    running.remove(jobId);
    JobFiles files = files(jobId);
    return Mono.fromCallable(() -> new Outcome(read(files.result()), read(files.progress())))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(
            outcome ->
                store
                    .find(jobId)
                    .map(row -> row.stopRequested() ? row.stopReason() : exitReason(exitCode))
                    .defaultIfEmpty(exitReason(exitCode))
                    .flatMap(
                        reason ->
                            store.modify(jobId, row -> afterExit(row, exitCode, outcome), reason))
                    // The store may be down right now; the final state must still be written.
                    .retryWhen(
                        Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                            .maxBackoff(Duration.ofSeconds(15))
                            .doBeforeRetry(
                                retry ->
                                    log.warn(
                                        "job {}: cannot record its end yet ({}); retrying",
                                        jobId,
                                        retry.failure().toString()))))
        .doOnNext(this::announce)
        .doFinally(signal -> ending.remove(jobId));
  }

  private JobRow afterExit(JobRow row, int exitCode, Outcome outcome) {
    // Already written (ended, or a stream job's death already recorded): nothing to add.
    if (row.terminal() || row.status() != JobStatus.JOB_STATUS_RUNNING) {
      return row;
    }
    String resultJson = outcome.result().orElse(outcome.progress().orElse(row.progressJson()));
    JobRow.Builder next =
        row.toBuilder()
            .progressJson(resultJson)
            .applicationId(applicationId(resultJson, row))
            .ready(false);
    if (row.stopRequested()) {
      return endedByStop(next.build());
    }
    Optional<JobResult> result = outcome.result().flatMap(JobExecutor::parse);
    boolean succeeded =
        result.map(r -> "SUCCEEDED".equals(r.getStatus())).orElse(false)
            && (exitCode == 0 || exitCode == LaunchedJob.UNKNOWN_EXIT);
    String error =
        result
            .map(JobResult::getError)
            .filter(message -> !message.isBlank())
            .orElse(
                exitCode == LaunchedJob.UNKNOWN_EXIT
                    ? "the job's process ended without a result; see its log " + row.logUri()
                    : "the job exited with code "
                        + exitCode
                        + " without a result; see its log "
                        + row.logUri());
    if (row.type() != JobType.STREAM_INGESTION_JOB) {
      return succeeded
          ? ended(next.build(), JobStatus.JOB_STATUS_DONE, "")
          : ended(next.build(), JobStatus.JOB_STATUS_ERROR, error);
    }
    // A stream job is meant to run forever: its end is a death, restarted with backoff.
    Instant now = Instant.now();
    OrchestratorProperties.Stream settings = properties.stream();
    List<Long> deaths = new ArrayList<>();
    for (long death : row.deaths()) {
      if (death > now.minus(settings.deathWindow()).toEpochMilli()) {
        deaths.add(death);
      }
    }
    deaths.add(now.toEpochMilli());
    if (deaths.size() >= settings.maxDeaths()) {
      return ended(
          next.deaths(deaths).build(),
          JobStatus.JOB_STATUS_ERROR,
          "died "
              + deaths.size()
              + " times within "
              + settings.deathWindow()
              + "; not restarted again. Last: "
              + error);
    }
    Duration backoff =
        settings.restartBackoff().multipliedBy(1L << Math.min(deaths.size() - 1, 20));
    if (backoff.compareTo(settings.maxRestartBackoff()) > 0) {
      backoff = settings.maxRestartBackoff();
    }
    metrics.streamRestartScheduled();
    return next.status(JobStatus.JOB_STATUS_PENDING)
        .deaths(deaths)
        .error(error)
        .nextAttemptAt(now.plus(backoff))
        .build();
  }

  private static String exitReason(int exitCode) {
    return exitCode == LaunchedJob.UNKNOWN_EXIT
        ? "process ended"
        : "process exited with code " + exitCode;
  }

  private static JobRow endedByStop(JobRow row) {
    return ended(
        row,
        row.stopStatus(),
        row.stopStatus() == JobStatus.JOB_STATUS_ERROR ? row.stopReason() : "");
  }

  private static JobRow ended(JobRow row, JobStatus status, String error) {
    return row.toBuilder()
        .status(status)
        .error(error)
        .endedAt(Instant.now())
        .nextAttemptAt(null)
        .ready(false)
        .build();
  }

  private void announce(JobRow row) {
    if (row.terminal()) {
      metrics.ended(row);
      log.atInfo()
          .addKeyValue("job_id", row.id())
          .log(
              "job {} ended {}{}",
              row.id(),
              row.status(),
              row.error().isEmpty() ? "" : ": " + row.error());
    } else {
      log.atWarn()
          .addKeyValue("job_id", row.id())
          .log(
              "stream job {} died ({}); restarting it at {}",
              row.id(),
              row.error(),
              row.nextAttemptAt());
    }
    synchronized (changes) {
      changes.tryEmitNext(row);
    }
  }

  /** Waits for the exit follower to write the job's end. */
  private Mono<JobRow> awaitEnd(String jobId) {
    return Flux.interval(Duration.ZERO, Duration.ofMillis(100))
        .concatMap(tick -> store.find(jobId))
        .filter(row -> row.terminal() || row.status() == JobStatus.JOB_STATUS_PENDING)
        .next()
        .timeout(Duration.ofSeconds(60));
  }

  private static String applicationId(String resultJson, JobRow row) {
    return parse(resultJson)
        .map(JobResult::getApplicationId)
        .filter(id -> !id.isEmpty())
        .orElse(row.applicationId());
  }

  static Optional<JobResult> parse(String json) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    JobResult.Builder result = JobResult.newBuilder();
    try {
      RESULT_PARSER.merge(json, result);
      return Optional.of(result.build());
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> read(Path file) throws IOException {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  static String application(JobRow job) {
    if (job.layoutMigration()) {
      return "layout-migration";
    }
    return switch (job.type()) {
      case BATCH_INGESTION_JOB -> "batch-ingestion";
      case STREAM_INGESTION_JOB -> "stream-ingestion";
      case RETRIEVAL_JOB -> "historical-retrieval";
      default -> throw new IllegalArgumentException("no application for " + job.type());
    };
  }

  /** What a job left behind: its result, and its last progress report. */
  private record Outcome(Optional<String> result, Optional<String> progress) {}

  /** Stops every followed job (only when configured to on shutdown). */
  Mono<Void> stopAll(String reason) {
    return Flux.fromIterable(List.copyOf(running.keySet()))
        .flatMap(
            id ->
                store
                    .find(id)
                    // A stream job stopped this way is started again by the next orchestrator.
                    .flatMap(
                        job ->
                            stop(
                                id,
                                reason,
                                job.type() == JobType.STREAM_INGESTION_JOB
                                    ? JobStatus.JOB_STATUS_DONE
                                    : JobStatus.JOB_STATUS_ERROR))
                    .onErrorResume(e -> Mono.empty()))
        .then();
  }
}
