package io.larder.orchestrator.run;

import io.larder.orchestrator.OrchestratorException;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobIds;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.registry.RegistryClient;
import io.larder.orchestrator.registry.TableDefinitions;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The control loop for stream jobs. Every table with a Kafka stream source in a project that is not
 * archived has exactly one RUNNING stream job whose spec hash is the table's current {@code
 * meta.hash}. Each pass observes (registry definitions, the store's active jobs, their processes'
 * progress), decides, and writes; passes and the requests that start stream jobs run one at a time.
 *
 * <ul>
 *   <li>a new table, or a changed spec: a new job (its own checkpoint) starting at the offsets the
 *       table's previous job had committed; the previous job is stopped only once the new one's
 *       query runs, so ingestion has no gap;
 *   <li>a deleted table or archived project: its job is stopped;
 *   <li>a job that died: restarted from its checkpoint after a capped exponential backoff, and left
 *       ERROR after {@code max-deaths} deaths within {@code death-window};
 *   <li>a job cancelled by request stays stopped until its spec changes or a start is requested.
 * </ul>
 */
@Component
class StreamSupervisor {

  private static final Logger log = LoggerFactory.getLogger(StreamSupervisor.class);

  private final JobStore store;
  private final JobExecutor executor;
  private final JobSpecFactory specs;
  private final TableDefinitions definitions;
  private final RegistryClient registry;
  private final JobMetrics metrics;
  private final OrchestratorProperties properties;
  private final SerialQueue queue = new SerialQueue("stream-supervisor");
  private final Disposable.Composite running = Disposables.composite();

  StreamSupervisor(
      JobStore store,
      JobExecutor executor,
      JobSpecFactory specs,
      TableDefinitions definitions,
      RegistryClient registry,
      JobMetrics metrics,
      OrchestratorProperties properties) {
    this.store = store;
    this.executor = executor;
    this.specs = specs;
    this.definitions = definitions;
    this.registry = registry;
    this.metrics = metrics;
    this.properties = properties;
  }

  void start(Flux<String> definitionChanges) {
    running.add(definitionChanges.subscribe(reason -> wake()));
    running.add(
        executor
            .exits()
            .filter(job -> job.type() == JobType.STREAM_INGESTION_JOB)
            .subscribe(job -> wake()));
    var interval = properties.stream().reconcileInterval();
    running.add(Flux.interval(interval, interval).subscribe(tick -> wake()));
    wake();
  }

  void stop() {
    running.dispose();
    queue.dispose();
  }

  void wake() {
    queue.wake(this::pass);
  }

  /**
   * StartStreamToOnlineIngestionJob: the table's running job when its spec is current, else a new
   * one (also after a cancel).
   */
  Mono<JobRow> ensure(String project, String tableName) {
    return registry
        .table(project, tableName)
        .flatMap(
            table -> {
              DataSource stream = table.getSpec().getStreamSource();
              if (stream.getType() != DataSource.SourceType.STREAM_KAFKA) {
                return Mono.error(
                    OrchestratorException.failedPrecondition(
                        "feature table '%s' in project '%s' has no Kafka stream source",
                        tableName, project));
              }
              return Mono.zip(registry.projects(), registry.entities(project))
                  .flatMap(
                      both -> {
                        if (!both.getT1().contains(project)) {
                          return Mono.error(
                              OrchestratorException.failedPrecondition(
                                  "project '%s' is archived", project));
                        }
                        definitions.markDirty(project);
                        return queue.submit(() -> ensureOnQueue(project, table, both.getT2()));
                      });
            });
  }

  private Mono<JobRow> ensureOnQueue(
      String project, FeatureTable table, List<EntitySpecV2> entities) {
    String name = table.getSpec().getName();
    return store
        .active()
        .filter(job -> isStreamOf(job, project, name))
        .filter(job -> job.specHash().equals(table.getMeta().getHash()))
        .next()
        .switchIfEmpty(
            Mono.defer(
                () ->
                    store
                        .latest(project, name, JobType.STREAM_INGESTION_JOB)
                        .map(java.util.Optional::of)
                        .defaultIfEmpty(java.util.Optional.empty())
                        .flatMap(
                            previous ->
                                startNew(
                                    project, table, entities, previous.orElse(null), "requested"))))
        .doOnSuccess(job -> wake());
  }

  private Mono<Void> pass() {
    return definitions
        .refresh()
        .then(store.active().collectList())
        .flatMap(
            active -> {
              metrics.activeJobs(active);
              List<JobRow> streams =
                  active.stream()
                      .filter(job -> job.type() == JobType.STREAM_INGESTION_JOB)
                      .toList();
              return reconcile(streams);
            })
        .onErrorResume(
            error -> {
              log.warn("stream control loop pass failed; trying again: {}", error.toString());
              return Mono.empty();
            });
  }

  private Mono<Void> reconcile(List<JobRow> active) {
    Map<String, List<JobRow>> byTable = new HashMap<>();
    for (JobRow job : active) {
      byTable.computeIfAbsent(key(job.project(), job.tableName()), k -> new ArrayList<>()).add(job);
    }
    List<Mono<?>> actions = new ArrayList<>();
    if (!definitions.loaded()) {
      // The registry was never read: keep what runs alive, start and stop nothing.
      active.forEach(job -> actions.add(keepAlive(job)));
      return Flux.concat(actions).then();
    }
    Map<String, Desired> desired = new LinkedHashMap<>();
    definitions
        .projects()
        .values()
        .forEach(
            project ->
                project.tables().values().stream()
                    .filter(
                        table ->
                            table.getSpec().getStreamSource().getType()
                                == DataSource.SourceType.STREAM_KAFKA)
                    .forEach(
                        table ->
                            desired.put(
                                key(project.name(), table.getSpec().getName()),
                                new Desired(project.name(), table, project.entities()))));
    desired.forEach(
        (key, want) -> actions.add(ensureDesired(want, byTable.getOrDefault(key, List.of()))));
    byTable.forEach(
        (key, jobs) -> {
          if (!desired.containsKey(key)) {
            jobs.forEach(
                job ->
                    actions.add(
                        executor.stop(
                            job.id(),
                            "stopped: feature table deleted, its stream source removed or its"
                                + " project archived",
                            JobStatus.JOB_STATUS_DONE)));
          }
        });
    return Flux.concat(
            actions.stream().map(action -> action.onErrorResume(this::logFailure)).toList())
        .then();
  }

  private <T> Mono<T> logFailure(Throwable error) {
    log.warn("stream control loop action failed: {}", error.toString());
    return Mono.empty();
  }

  private Mono<?> ensureDesired(Desired want, List<JobRow> jobs) {
    String hash = want.table().getMeta().getHash();
    JobRow current =
        jobs.stream().filter(job -> job.specHash().equals(hash)).findFirst().orElse(null);
    List<JobRow> others = jobs.stream().filter(job -> !job.specHash().equals(hash)).toList();
    if (current == null) {
      String name = want.table().getSpec().getName();
      return store
          .latest(want.project(), name, JobType.STREAM_INGESTION_JOB)
          .map(java.util.Optional::of)
          .defaultIfEmpty(java.util.Optional.empty())
          .flatMap(
              latest -> {
                JobRow previous = latest.orElse(null);
                if (previous != null
                    && previous.specHash().equals(hash)
                    && previous.status() == JobStatus.JOB_STATUS_ERROR) {
                  // Cancelled by request, or given up after repeated deaths: stays stopped.
                  return Mono.empty();
                }
                return startNew(
                    want.project(),
                    want.table(),
                    want.entities(),
                    previous,
                    previous == null ? "table has a stream source" : "table spec changed");
              });
    }
    return keepAlive(current)
        .flatMap(
            now -> {
              boolean handOver = now.status() == JobStatus.JOB_STATUS_RUNNING && now.ready();
              return Flux.fromIterable(others)
                  .filter(old -> handOver || old.status() == JobStatus.JOB_STATUS_PENDING)
                  .concatMap(
                      old ->
                          executor.stop(
                              old.id(),
                              "replaced by job " + now.id() + " (table spec changed)",
                              JobStatus.JOB_STATUS_DONE))
                  .then();
            });
  }

  /** Restarts a dead job when its backoff is over; notes a running one's progress. */
  private Mono<JobRow> keepAlive(JobRow job) {
    if (job.status() == JobStatus.JOB_STATUS_PENDING) {
      if (job.nextAttemptAt() == null || !job.nextAttemptAt().isAfter(Instant.now())) {
        String reason = job.attempts() == 0 ? "launched" : "restarted after it died";
        return executor.launch(job, reason);
      }
      return Mono.just(job);
    }
    if (!executor.following(job.id())) {
      return executor.adopt(job);
    }
    return executor.refreshProgress(job);
  }

  private Mono<JobRow> startNew(
      String project,
      FeatureTable table,
      List<EntitySpecV2> entities,
      JobRow previous,
      String reason) {
    String id = JobIds.next("stream");
    String startingOffsets =
        previous == null
            ? "earliest"
            : CheckpointOffsets.lastCommitted(
                    specs.checkpoint(project, previous.tableName(), previous.id()),
                    table.getSpec().getStreamSource().getKafkaOptions().getTopic())
                .orElse("earliest");
    String spec =
        JobSpecFactory.json(specs.stream(project, table.getSpec(), entities, id, startingOffsets));
    JobRow job =
        JobRow.pending(id, JobType.STREAM_INGESTION_JOB, project, Instant.now())
            .tableName(table.getSpec().getName())
            .tables(List.of(table.getSpec().getName()))
            .specJson(spec)
            .specHash(table.getMeta().getHash())
            .build();
    log.atInfo()
        .addKeyValue("job_id", id)
        .log(
            "starting stream job {} for table {}/{} ({}; from {})",
            id,
            project,
            table.getSpec().getName(),
            reason,
            startingOffsets.startsWith("{") ? "the previous job's offsets" : startingOffsets);
    return store.insert(job, reason).flatMap(stored -> executor.launch(stored, "launched"));
  }

  private static boolean isStreamOf(JobRow job, String project, String table) {
    return job.type() == JobType.STREAM_INGESTION_JOB
        && job.project().equals(project)
        && job.tableName().equals(table);
  }

  private static String key(String project, String table) {
    return project + "/" + table;
  }

  private record Desired(String project, FeatureTable table, List<EntitySpecV2> entities) {}
}
