package io.larder.orchestrator.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.larder.onlinestore.OnlineLayout;
import io.larder.orchestrator.OrchestratorException;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobIds;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.registry.RegistryClient;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Moves feature tables between online layouts while they are read and written. The job's process
 * copies the rows into the new layout and reports ready; this loop then switches the table in the
 * registry (only if it did not change meanwhile), lets the stream control loop replace the table's
 * stream job as for any spec change, waits until no job writes the old layout and gateways have had
 * {@code switch-grace} to hear of the switch, and tells the process to copy again what was written
 * meanwhile and remove the old rows. Every step is read back from the registry, the job store and
 * the job's files, so a restarted orchestrator carries on where the last one was.
 */
@Component
class LayoutMigrations {

  private static final Logger log = LoggerFactory.getLogger(LayoutMigrations.class);
  private static final JsonFormat.Parser SPEC_PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final JobStore store;
  private final JobRunner runner;
  private final JobExecutor executor;
  private final JobSpecFactory specs;
  private final RegistryClient registry;
  private final OrchestratorProperties.LayoutMigration settings;
  private final SerialQueue queue = new SerialQueue("layout-migrations");
  private Disposable loop;

  LayoutMigrations(
      JobStore store,
      JobRunner runner,
      JobExecutor executor,
      JobSpecFactory specs,
      RegistryClient registry,
      OrchestratorProperties properties) {
    this.store = store;
    this.runner = runner;
    this.executor = executor;
    this.specs = specs;
    this.registry = registry;
    this.settings = properties.layoutMigration();
  }

  void start() {
    loop =
        Flux.merge(
                Flux.interval(settings.checkInterval(), settings.checkInterval()), executor.exits())
            .subscribe(tick -> queue.wake(this::pass));
  }

  void stop() {
    if (loop != null) {
      loop.dispose();
    }
    queue.dispose();
  }

  /** MigrateOnlineLayout: a PENDING migration job of the table, checked before it is stored. */
  Mono<JobRow> request(String project, String tableName, String layout) {
    return Mono.defer(
        () -> {
          OnlineLayout to = requestedLayout(layout);
          if (specs.clusterStore()) {
            throw OrchestratorException.failedPrecondition(
                "moving a table between online layouts on a Redis Cluster is not supported yet;"
                    + " delete the table, apply it with label %s: %s and ingest it again",
                OnlineLayout.LABEL, to.label());
          }
          return Mono.zip(registry.table(project, tableName), registry.entities(project))
              .flatMap(
                  both ->
                      queue.submit(
                          () -> insertUnlessMoving(project, both.getT1(), both.getT2(), to)));
        });
  }

  private Mono<JobRow> insertUnlessMoving(
      String project, FeatureTable table, List<EntitySpecV2> entities, OnlineLayout to) {
    FeatureTableSpec spec = table.getSpec();
    OnlineLayout from = layoutOf(spec);
    if (from == to) {
      return Mono.error(
          OrchestratorException.failedPrecondition(
              "feature table '%s' in project '%s' is already in the %s layout",
              spec.getName(), project, to.label()));
    }
    return store
        .active()
        .filter(job -> job.layoutMigration() && isOf(job, project, spec.getName()))
        .next()
        .flatMap(
            moving ->
                Mono.<JobRow>error(
                    OrchestratorException.failedPrecondition(
                        "feature table '%s' in project '%s' is being moved already, by job %s",
                        spec.getName(), project, moving.id())))
        .switchIfEmpty(
            Mono.defer(
                () -> {
                  String id = JobIds.next("migration");
                  JobRow job =
                      JobRow.pending(id, JobType.BATCH_INGESTION_JOB, project, Instant.now())
                          .kind(JobRow.LAYOUT_MIGRATION)
                          .tableName(spec.getName())
                          .tables(List.of(spec.getName()))
                          .specJson(
                              JobSpecFactory.json(
                                  specs.layoutMigration(
                                      project, spec, entities, from.label(), to.label(), id)))
                          .specHash(table.getMeta().getHash())
                          .logUri(executor.files(id).logUri())
                          .build();
                  log.atInfo()
                      .addKeyValue("job_id", id)
                      .log(
                          "layout migration {} of table {}/{}: {} -> {}",
                          id,
                          project,
                          spec.getName(),
                          from.label(),
                          to.label());
                  return runner.submit(
                      job,
                      "requested: from the " + from.label() + " to the " + to.label() + " layout");
                }));
  }

  private Mono<Void> pass() {
    return store
        .active()
        .filter(JobRow::layoutMigration)
        .filter(job -> job.status() == JobStatus.JOB_STATUS_RUNNING && executor.following(job.id()))
        .concatMap(
            job ->
                executor
                    .refreshProgress(job)
                    .filter(JobRow::ready)
                    .flatMap(this::advance)
                    .onErrorResume(
                        error -> {
                          log.warn(
                              "layout migration {}: cannot go on yet ({}); trying again",
                              job.id(),
                              error.toString());
                          return Mono.empty();
                        }))
        .then();
  }

  /** One step of a job whose first copy is done: switch, then wait for the old writers, then go. */
  private Mono<Void> advance(JobRow job) {
    Path proceed = executor.files(job.id()).proceed();
    LayoutMigrationSpec spec = parse(job.specJson(), LayoutMigrationSpec.newBuilder());
    OnlineLayout from = layoutOf(spec.getFromLayout());
    OnlineLayout to = layoutOf(spec.getToLayout());
    return Mono.fromCallable(() -> Files.exists(proceed))
        .subscribeOn(Schedulers.boundedElastic())
        .filter(told -> !told)
        .flatMap(notYet -> registry.table(job.project(), job.tableName()))
        .flatMap(
            table ->
                layoutOf(table.getSpec()) == to
                    ? proceedOnceOldWritersAreGone(job, table, from, proceed)
                    : switchTable(job, table, to));
  }

  private Mono<Void> switchTable(JobRow job, FeatureTable table, OnlineLayout to) {
    if (!table.getMeta().getHash().equals(job.specHash())) {
      return abandon(
          job,
          "feature table changed while its rows were copied (now revision "
              + table.getMeta().getRevision()
              + "); nothing was switched: start the migration again");
    }
    return registry
        .changeOnlineLayout(job.project(), job.tableName(), to.label(), job.specHash())
        .doOnNext(
            switched ->
                log.atInfo()
                    .addKeyValue("job_id", job.id())
                    .log(
                        "layout migration {}: table {}/{} now reads and writes the {} layout"
                            + " (revision {})",
                        job.id(),
                        job.project(),
                        job.tableName(),
                        to.label(),
                        switched.getMeta().getRevision()))
        .then()
        .onErrorResume(
            error -> Status.fromThrowable(error).getCode() == Status.Code.FAILED_PRECONDITION,
            refused ->
                abandon(
                    job,
                    "the registry refused the switch: "
                        + Status.fromThrowable(refused).getDescription()));
  }

  private Mono<Void> proceedOnceOldWritersAreGone(
      JobRow job, FeatureTable table, OnlineLayout from, Path proceed) {
    Instant switched =
        Instant.ofEpochSecond(table.getMeta().getLastUpdatedTimestamp().getSeconds());
    if (Duration.between(switched, Instant.now()).compareTo(settings.switchGrace()) < 0) {
      return Mono.empty();
    }
    return store
        .active()
        .filter(other -> !other.layoutMigration() && isOf(other, job.project(), job.tableName()))
        .filter(other -> writerLayout(other).map(layout -> layout == from).orElse(false))
        .collectList()
        .flatMap(
            oldWriters -> {
              if (!oldWriters.isEmpty()) {
                log.atDebug()
                    .addKeyValue("job_id", job.id())
                    .log(
                        "layout migration {}: waiting for job(s) {} that write the {} layout",
                        job.id(),
                        oldWriters.stream().map(JobRow::id).toList(),
                        from.label());
                return Mono.empty();
              }
              return Mono.fromCallable(() -> Files.writeString(proceed, Instant.now() + "\n"))
                  .subscribeOn(Schedulers.boundedElastic())
                  .doOnNext(
                      written ->
                          log.atInfo()
                              .addKeyValue("job_id", job.id())
                              .log(
                                  "layout migration {}: nothing writes the {} layout of {}/{} any"
                                      + " more; copying what changed meanwhile, then removing it",
                                  job.id(),
                                  from.label(),
                                  job.project(),
                                  job.tableName()))
                  .then();
            });
  }

  private Mono<Void> abandon(JobRow job, String reason) {
    return executor.stop(job.id(), reason, JobStatus.JOB_STATUS_ERROR).then();
  }

  /** The layout an ingestion job writes, from the table spec it was handed. */
  private static Optional<OnlineLayout> writerLayout(JobRow job) {
    Message.Builder spec =
        switch (job.type()) {
          case BATCH_INGESTION_JOB -> BatchIngestionSpec.newBuilder();
          case STREAM_INGESTION_JOB -> StreamIngestionSpec.newBuilder();
          default -> null;
        };
    if (spec == null) {
      return Optional.empty();
    }
    Message parsed = parse(job.specJson(), spec);
    FeatureTableSpec table =
        parsed instanceof BatchIngestionSpec batch
            ? batch.getTable()
            : ((StreamIngestionSpec) parsed).getTable();
    return Optional.of(layoutOf(table));
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T parse(String json, Message.Builder builder) {
    try {
      SPEC_PARSER.merge(json, builder);
      return (T) builder.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a stored job spec cannot be read: " + e.getMessage(), e);
    }
  }

  private static OnlineLayout requestedLayout(String layout) {
    for (OnlineLayout known : OnlineLayout.values()) {
      if (known.label().equals(layout)) {
        return known;
      }
    }
    throw OrchestratorException.invalid(
        "layout: must be hash or packed, got '%s'", layout == null ? "" : layout);
  }

  private static OnlineLayout layoutOf(String label) {
    return OnlineLayout.of(Map.of(OnlineLayout.LABEL, label));
  }

  private static OnlineLayout layoutOf(FeatureTableSpec table) {
    return OnlineLayout.of(table.getLabelsMap());
  }

  private static boolean isOf(JobRow job, String project, String table) {
    return job.project().equals(project) && job.tableName().equals(table);
  }
}
