package io.larder.orchestrator.run;

import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Batch-ingestion and retrieval jobs: at most {@code max-concurrent} run at once, the rest wait
 * PENDING in the store and start first in, first out. The queue is the store itself, so a restarted
 * orchestrator carries on with it.
 */
@Component
class JobRunner {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final JobStore store;
  private final JobExecutor executor;
  private final OrchestratorProperties properties;
  private final SerialQueue queue = new SerialQueue("job-runner");

  JobRunner(JobStore store, JobExecutor executor, OrchestratorProperties properties) {
    this.store = store;
    this.executor = executor;
    this.properties = properties;
  }

  /** Stores the job PENDING and starts it when a slot is free; answers the stored row. */
  Mono<JobRow> submit(JobRow job, String reason) {
    return store.insert(job, reason).doOnNext(stored -> wake());
  }

  /** Looks for free slots (after a submit, an end, or on the control loop's tick). */
  void wake() {
    queue.wake(this::dispatch);
  }

  private Mono<Void> dispatch() {
    return store
        .active()
        .filter(job -> job.type() != JobType.STREAM_INGESTION_JOB)
        .collectList()
        .flatMapMany(
            jobs -> {
              // A layout migration takes no slot: it is no Spark job, and it waits for the batch
              // jobs of its table to end, which a slot it held could keep from starting.
              List<JobRow> migrations =
                  jobs.stream()
                      .filter(JobRow::layoutMigration)
                      .filter(job -> job.status() == JobStatus.JOB_STATUS_PENDING)
                      .toList();
              List<JobRow> sparkJobs = jobs.stream().filter(job -> !job.layoutMigration()).toList();
              long running =
                  sparkJobs.stream()
                      .filter(job -> job.status() == JobStatus.JOB_STATUS_RUNNING)
                      .count();
              long free = Math.max(0, properties.maxConcurrent() - running);
              List<JobRow> next =
                  sparkJobs.stream()
                      .filter(job -> job.status() == JobStatus.JOB_STATUS_PENDING)
                      .limit(free)
                      .toList();
              return Flux.concat(Flux.fromIterable(migrations), Flux.fromIterable(next));
            })
        .concatMap(
            job ->
                executor
                    .launch(job, "launched")
                    .onErrorResume(
                        error -> {
                          log.warn(
                              "job {} could not be launched yet: {}", job.id(), error.toString());
                          return Mono.empty();
                        }))
        .then();
  }
}
