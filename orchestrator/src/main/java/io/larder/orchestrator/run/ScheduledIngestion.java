package io.larder.orchestrator.run;

import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.job.JobStore.JobQuery;
import io.larder.orchestrator.registry.TableDefinitions;
import io.larder.orchestrator.registry.TableLabels;
import io.larder.orchestrator.registry.TableLabels.Schedule;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Scheduled batch ingestion (beyond Feast 0.9, which needed Airflow): a table labelled {@code
 * larder.io/ingest-every} or {@code larder.io/ingest-cron} is ingested on schedule, each run taking
 * the window from the end of the last successful run to now. Windows never leave gaps (a failed run
 * is re-covered by the next) and runs missed while the orchestrator was down are caught up by one
 * run, not one per missed tick.
 */
@Component
class ScheduledIngestion {

  private static final Logger log = LoggerFactory.getLogger(ScheduledIngestion.class);

  private final TableDefinitions definitions;
  private final JobStore store;
  private final JobCommands commands;
  private final OrchestratorProperties properties;
  private Disposable running;

  ScheduledIngestion(
      TableDefinitions definitions,
      JobStore store,
      JobCommands commands,
      OrchestratorProperties properties) {
    this.definitions = definitions;
    this.store = store;
    this.commands = commands;
    this.properties = properties;
  }

  void start() {
    running =
        Flux.interval(properties.scheduleCheckInterval(), properties.scheduleCheckInterval())
            .onBackpressureDrop()
            .concatMap(tick -> check().onErrorResume(error -> Mono.empty()), 1)
            .subscribe();
  }

  void stop() {
    if (running != null) {
      running.dispose();
    }
  }

  /** One look at every scheduled table. */
  Mono<Void> check() {
    if (!definitions.loaded()) {
      return Mono.empty();
    }
    return Flux.fromIterable(definitions.projects().values())
        .concatMap(
            project ->
                Flux.fromIterable(project.tables().values())
                    .concatMap(table -> checkTable(project, table)))
        .then();
  }

  private Mono<Void> checkTable(TableDefinitions.Project project, FeatureTable table) {
    Optional<Schedule> schedule;
    try {
      schedule = TableLabels.schedule(table.getSpec());
    } catch (RuntimeException e) {
      log.warn(
          "table {}/{} has an unusable schedule label: {}",
          project.name(),
          table.getSpec().getName(),
          e.getMessage());
      return Mono.empty();
    }
    if (schedule.isEmpty()) {
      return Mono.empty();
    }
    String name = table.getSpec().getName();
    return store
        .list(new JobQuery(true, project.name(), name, JobType.BATCH_INGESTION_JOB, 200))
        .filter(JobRow::scheduled)
        .collectList()
        .flatMap(
            runs -> {
              if (runs.stream().anyMatch(run -> !run.terminal())) {
                return Mono.empty();
              }
              Instant lastEnd =
                  runs.stream()
                      .filter(run -> run.status() == JobStatus.JOB_STATUS_DONE)
                      .map(JobRow::windowEnd)
                      .filter(Objects::nonNull)
                      .max(Comparator.naturalOrder())
                      .orElse(null);
              Instant lastRun =
                  runs.stream().map(JobRow::createdAt).max(Comparator.naturalOrder()).orElse(null);
              Instant created =
                  Instant.ofEpochSecond(table.getMeta().getCreatedTimestamp().getSeconds());
              Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
              Instant due = schedule.get().nextRun(lastEnd, lastRun, created);
              if (due.isAfter(now)) {
                return Mono.empty();
              }
              Instant start = lastEnd != null ? lastEnd : schedule.get().from();
              if (!now.isAfter(start)) {
                return Mono.empty();
              }
              log.info(
                  "scheduled ingestion of {}/{}: window [{}, {})",
                  project.name(),
                  name,
                  start,
                  now);
              return commands
                  .submitBatch(
                      project.name(), table, project.entities(), start, now, true, "scheduled")
                  .then();
            });
  }
}
