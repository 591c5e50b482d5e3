package io.larder.orchestrator.run;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.larder.orchestrator.OrchestratorException;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobIds;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.job.JobStore.JobQuery;
import io.larder.orchestrator.job.JobViews;
import io.larder.orchestrator.registry.RegistryClient;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobServiceExtProto.StatusChange;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What the job service's RPCs do, whatever the transport: requests are checked (cheap checks before
 * anything is stored or launched), turned into Spark job specs from the registry's current
 * definitions, and handed to the runner or the stream control loop.
 */
@Service
public class JobCommands {

  private final JobStore store;
  private final JobRunner runner;
  private final JobExecutor executor;
  private final StreamSupervisor streams;
  private final LayoutMigrations migrations;
  private final JobSpecFactory specs;
  private final RegistryClient registry;
  private final OrchestratorProperties properties;

  JobCommands(
      JobStore store,
      JobRunner runner,
      JobExecutor executor,
      StreamSupervisor streams,
      LayoutMigrations migrations,
      JobSpecFactory specs,
      RegistryClient registry,
      OrchestratorProperties properties) {
    this.store = store;
    this.runner = runner;
    this.executor = executor;
    this.streams = streams;
    this.migrations = migrations;
    this.specs = specs;
    this.registry = registry;
    this.properties = properties;
  }

  /** StartOfflineToOnlineIngestionJob: ingest {@code [start, end)} of the table's batch source. */
  public Mono<JobRow> startBatchIngestion(StartOfflineToOnlineIngestionJobRequest request) {
    return Mono.defer(
        () -> {
          String project = project(request.getProject());
          requireName("table_name", request.getTableName());
          if (!request.hasStartDate()) {
            throw OrchestratorException.invalid("start_date: is required");
          }
          if (!request.hasEndDate()) {
            throw OrchestratorException.invalid("end_date: is required");
          }
          Instant start = instant("start_date", request.getStartDate());
          Instant end = instant("end_date", request.getEndDate());
          if (!end.isAfter(start)) {
            throw OrchestratorException.invalid(
                "end_date: must be after start_date (%s), got %s", start, end);
          }
          return Mono.zip(
                  registry.table(project, request.getTableName()), registry.entities(project))
              .flatMap(
                  both ->
                      submitBatch(
                          project, both.getT1(), both.getT2(), start, end, false, "requested"));
        });
  }

  /** A batch-ingestion job for a table, from a request or a schedule. */
  Mono<JobRow> submitBatch(
      String project,
      FeatureTable table,
      List<EntitySpecV2> entities,
      Instant start,
      Instant end,
      boolean scheduled,
      String reason) {
    FeatureTableSpec spec = table.getSpec();
    String id = JobIds.next("batch");
    String json =
        JobSpecFactory.json(
            specs.batch(
                project, spec, entities, JobViews.timestamp(start), JobViews.timestamp(end)));
    JobRow job =
        JobRow.pending(id, JobType.BATCH_INGESTION_JOB, project, Instant.now())
            .tableName(spec.getName())
            .tables(List.of(spec.getName()))
            .specJson(json)
            .specHash(table.getMeta().getHash())
            .logUri(executor.files(id).logUri())
            .window(start, end)
            .scheduled(scheduled)
            .build();
    return runner.submit(job, reason);
  }

  /** GetHistoricalFeatures: a point-in-time join of the entity source with the features. */
  public Mono<JobRow> startHistoricalRetrieval(GetHistoricalFeaturesRequest request) {
    return Mono.defer(
        () -> {
          String project = project(request.getProject());
          Map<String, List<String>> featuresByTable = featureRefs(request.getFeatureRefsList());
          String outputFormat = request.getOutputFormat().toLowerCase(Locale.ROOT);
          if (!outputFormat.isEmpty() && !outputFormat.equals("parquet")) {
            throw OrchestratorException.invalid(
                "output_format: only parquet is supported, got '%s'", request.getOutputFormat());
          }
          DataSource source = request.getEntitySource();
          if (source.getType() != DataSource.SourceType.BATCH_FILE
              || source.getFileOptions().getFileUrl().isBlank()) {
            throw OrchestratorException.invalid(
                "entity_source: must be a BATCH_FILE source with file_options.file_url");
          }
          String entityUrl = source.getFileOptions().getFileUrl();
          FileFormatOverride entityFormat = entityFormat(source);
          String id = JobIds.next("retrieval");
          String output = outputPath(request.getOutputLocation(), id);
          return Mono.fromRunnable(() -> checkReadable(entityUrl))
              .subscribeOn(Schedulers.boundedElastic())
              .then(
                  Flux.fromIterable(featuresByTable.keySet())
                      .concatMap(table -> registry.table(project, table))
                      .collectList())
              .zipWith(registry.entities(project))
              .flatMap(
                  both -> {
                    List<FeatureTableSpec> tables =
                        both.getT1().stream().map(FeatureTable::getSpec).toList();
                    checkFeatures(request.getFeatureRefsList(), tables);
                    String json =
                        JobSpecFactory.json(
                            specs.retrieval(
                                project,
                                tables,
                                both.getT2(),
                                entityUrl,
                                entityFormat,
                                request.getFeatureRefsList(),
                                output));
                    JobRow job =
                        JobRow.pending(id, JobType.RETRIEVAL_JOB, project, Instant.now())
                            .tables(List.copyOf(featuresByTable.keySet()))
                            .specJson(json)
                            .specHash(sha256(json))
                            .outputLocation(
                                output.contains("://")
                                    ? output
                                    : Path.of(output).toUri().toString())
                            .logUri(executor.files(id).logUri())
                            .build();
                    return runner.submit(job, "requested");
                  });
        });
  }

  /** StartStreamToOnlineIngestionJob: idempotent. */
  public Mono<JobRow> startStreamIngestion(String project, String table) {
    return Mono.defer(
        () -> {
          requireName("table_name", table);
          return streams.ensure(project(project), table);
        });
  }

  /** MigrateOnlineLayout: a job that moves the table's online rows into {@code layout}. */
  public Mono<JobRow> migrateOnlineLayout(String project, String table, String layout) {
    return Mono.defer(
        () -> {
          requireName("table_name", table);
          return migrations.request(project(project), table, layout);
        });
  }

  public Flux<JobRow> list(JobQuery query) {
    return store.list(query);
  }

  public Mono<JobRow> get(String jobId) {
    return Mono.defer(
        () -> {
          requireName("job_id", jobId);
          return store
              .find(jobId)
              .switchIfEmpty(
                  Mono.error(OrchestratorException.notFound("job '%s' not found", jobId)));
        });
  }

  public Flux<StatusChange> history(String jobId) {
    return store.history(jobId);
  }

  /** CancelJob: stops the job (TERM, then KILL after the grace period); it ends ERROR. */
  public Mono<JobRow> cancel(String jobId) {
    return get(jobId)
        .flatMap(
            job -> {
              if (job.terminal()) {
                return Mono.error(
                    OrchestratorException.failedPrecondition(
                        "job '%s' already ended (%s)", jobId, job.status()));
              }
              return executor.stop(jobId, "cancelled by CancelJob", JobStatus.JOB_STATUS_ERROR);
            })
        .doOnSuccess(job -> runner.wake());
  }

  private static String project(String project) {
    return project == null || project.isBlank() ? "default" : project;
  }

  private static void requireName(String field, String value) {
    if (value == null || value.isBlank()) {
      throw OrchestratorException.invalid("%s: is required", field);
    }
  }

  /** "table:feature" references, grouped by table in request order. */
  static Map<String, List<String>> featureRefs(List<String> refs) {
    if (refs.isEmpty()) {
      throw OrchestratorException.invalid("feature_refs: at least one table:feature is required");
    }
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < refs.size(); i++) {
      String ref = refs.get(i);
      int colon = ref.indexOf(':');
      if (colon <= 0 || colon == ref.length() - 1 || ref.indexOf(':', colon + 1) >= 0) {
        throw OrchestratorException.invalid(
            "feature_refs[%d]: '%s' is not of the form table:feature", i, ref);
      }
      if (!seen.add(ref)) {
        throw OrchestratorException.invalid("feature_refs[%d]: '%s' is listed twice", i, ref);
      }
      byTable
          .computeIfAbsent(ref.substring(0, colon), t -> new ArrayList<>())
          .add(ref.substring(colon + 1));
    }
    return byTable;
  }

  private static void checkFeatures(List<String> refs, List<FeatureTableSpec> tables) {
    for (int i = 0; i < refs.size(); i++) {
      String ref = refs.get(i);
      String table = ref.substring(0, ref.indexOf(':'));
      String feature = ref.substring(ref.indexOf(':') + 1);
      FeatureTableSpec spec =
          tables.stream().filter(t -> t.getName().equals(table)).findFirst().orElseThrow();
      if (spec.getFeaturesList().stream().map(FeatureSpecV2::getName).noneMatch(feature::equals)) {
        throw OrchestratorException.invalid(
            "feature_refs[%d]: feature table '%s' has no feature '%s'", i, table, feature);
      }
    }
  }

  private static FileFormatOverride entityFormat(DataSource source) {
    String url = source.getFileOptions().getFileUrl().toLowerCase(Locale.ROOT);
    FileFormat format = source.getFileOptions().getFileFormat();
    if (format.hasParquetFormat()) {
      return FileFormatOverride.PARQUET;
    }
    return url.endsWith(".csv") ? FileFormatOverride.CSV : FileFormatOverride.PARQUET;
  }

  /** Local entity sources must exist and be readable; other schemes are left to Spark. */
  private static void checkReadable(String url) {
    Path path;
    try {
      path = localPath(url);
    } catch (IllegalArgumentException e) {
      // Includes InvalidPathException (a NUL in a path) and a malformed file: URI.
      throw OrchestratorException.invalid(
          "entity_source.file_options.file_url: '%s' is not a valid path or URI", url);
    }
    if (path != null && !Files.isReadable(path)) {
      throw OrchestratorException.invalid(
          "entity_source.file_options.file_url: '%s' does not exist or is not readable", url);
    }
  }

  private static Path localPath(String url) {
    if (url.startsWith("file:")) {
      return Path.of(URI.create(url));
    }
    return url.contains("://") ? null : Path.of(url);
  }

  private String outputPath(String location, String jobId) {
    if (location.isBlank()) {
      return properties.homeDir().resolve("datasets").resolve(jobId).toString();
    }
    Path local;
    try {
      local = localPath(location);
    } catch (IllegalArgumentException e) {
      throw OrchestratorException.invalid(
          "output_location: '%s' is not a valid location", location);
    }
    if (local == null) {
      return location.replaceAll("/+$", "") + "/" + jobId;
    }
    return local.toAbsolutePath().resolve(jobId).toString();
  }

  private static Instant instant(String field, Timestamp timestamp) {
    // 0001-01-01 to 9999-12-31, nanos 0..999,999,999: what every Feast client can send and Spark
    // can compare with.
    if (!Timestamps.isValid(timestamp)) {
      throw OrchestratorException.invalid(
          "%s: seconds %d, nanos %d is not a valid timestamp (0001-01-01 to 9999-12-31)",
          field, timestamp.getSeconds(), timestamp.getNanos());
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
