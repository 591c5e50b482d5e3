package io.larder.sdk;

import io.grpc.ManagedChannel;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.sdk.training.EntityRows;
import io.larder.sdk.training.TrainingDataset;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The blocking client: {@link ReactiveLarderClient}'s calls, each waited for (at most its deadline
 * per attempt). For scripts, notebooks and the CLI; services use {@link #reactive()}.
 *
 * <pre>{@code
 * try (LarderClient larder = LarderClient.connect(LarderSettings.defaults())) {
 *   GetOnlineFeaturesResponse features =
 *       larder.getOnlineFeatures("demo", List.of("driver_trips:trips"), List.of(
 *           LarderClient.entityRow("driver_id", 1001L)));
 * }
 * }</pre>
 */
public final class LarderClient implements AutoCloseable {

  private static final Duration POLL = Duration.ofSeconds(1);

  private final ReactiveLarderClient reactive;
  private final Duration wait;

  LarderClient(ReactiveLarderClient reactive) {
    this.reactive = reactive;
    LarderSettings settings = reactive.settings();
    // Every attempt with its deadline, plus the backoff between them.
    this.wait = settings.deadline().multipliedBy(settings.retries() + 1L).plusSeconds(5);
  }

  public static LarderClient connect(LarderSettings settings) {
    return new LarderClient(ReactiveLarderClient.connect(settings));
  }

  /**
   * Over channels the caller made (in-process ones in tests, say); closing the client closes them.
   */
  public static LarderClient over(
      LarderSettings settings,
      ManagedChannel registry,
      ManagedChannel jobService,
      ManagedChannel serving) {
    return new LarderClient(new ReactiveLarderClient(settings, registry, jobService, serving));
  }

  public ReactiveLarderClient reactive() {
    return reactive;
  }

  // --- registry

  public String registryVersion() {
    return block(reactive.registryVersion());
  }

  public void createProject(String name) {
    block(reactive.createProject(name));
  }

  public List<String> listProjects() {
    return list(reactive.listProjects());
  }

  public void archiveProject(String name) {
    block(reactive.archiveProject(name));
  }

  public Entity applyEntity(String project, EntitySpecV2 spec) {
    return block(reactive.applyEntity(project, spec));
  }

  public Entity getEntity(String project, String name) {
    return block(reactive.getEntity(project, name));
  }

  public List<Entity> listEntities(String project) {
    return list(reactive.listEntities(project));
  }

  public void deleteEntity(String project, String name) {
    block(reactive.deleteEntity(project, name));
  }

  public FeatureTable applyFeatureTable(String project, FeatureTableSpec spec) {
    return block(reactive.applyFeatureTable(project, spec));
  }

  public FeatureTable getFeatureTable(String project, String name) {
    return block(reactive.getFeatureTable(project, name));
  }

  public List<FeatureTable> listFeatureTables(String project) {
    return list(reactive.listFeatureTables(project));
  }

  public void deleteFeatureTable(String project, String name) {
    block(reactive.deleteFeatureTable(project, name));
  }

  // --- jobs

  public Job startBatchIngestion(String project, String table, Instant start, Instant end) {
    return block(reactive.startBatchIngestion(project, table, start, end));
  }

  public Job startStreamIngestion(String project, String table) {
    return block(reactive.startStreamIngestion(project, table));
  }

  /** Starts moving the table's online rows into {@code layout} (hash or packed); see the job. */
  public JobDetails migrateOnlineLayout(String project, String table, String layout) {
    return block(reactive.migrateOnlineLayout(project, table, layout));
  }

  public List<Job> stopStreamIngestion(String project, String table) {
    return list(reactive.stopStreamIngestion(project, table));
  }

  /**
   * Starts a point-in-time retrieval without waiting; the job's meta says where the parquet goes.
   */
  public Job startHistoricalRetrieval(
      String project, List<String> featureRefs, EntityRows entities, String outputLocation) {
    featureRefs.forEach(ReactiveLarderClient::featureReference);
    return block(
        reactive.startHistoricalRetrieval(
            project,
            featureRefs,
            entities.toSource(reactive.settings().stagingDir()),
            outputLocation));
  }

  public List<Job> listJobs(boolean includeTerminated, String table) {
    return list(reactive.listJobs(includeTerminated, table));
  }

  public List<JobDetails> listJobDetails(ListJobDetailsRequest request) {
    return list(reactive.listJobDetails(request));
  }

  public Job getJob(String id) {
    return block(reactive.getJob(id));
  }

  public JobDetails getJobDetails(String id) {
    return block(reactive.getJobDetails(id));
  }

  public Job cancelJob(String id) {
    return block(reactive.cancelJob(id));
  }

  /**
   * Waits until the job ends, at most {@code timeout}, handing each new state to {@code progress}
   * (status, rows so far); returns its final details.
   */
  public JobDetails awaitJob(String id, Duration timeout, Consumer<JobDetails> progress) {
    JobDetails details =
        reactive
            .awaitJob(id, POLL, progress)
            .timeout(
                timeout,
                Mono.error(
                    () ->
                        new IllegalStateException(
                            "job %s did not end within %s".formatted(id, timeout))))
            .block();
    return details;
  }

  /**
   * Builds a point-in-time training set: starts the retrieval job, waits for it (at most {@code
   * timeout}) and returns where its parquet is, with a reader of its rows. A job that fails raises
   * {@link JobFailedException} with its error.
   */
  public TrainingDataset getHistoricalFeatures(
      String project,
      List<String> featureRefs,
      EntityRows entities,
      String outputLocation,
      Duration timeout,
      Consumer<JobDetails> progress) {
    Job job = startHistoricalRetrieval(project, featureRefs, entities, outputLocation);
    JobDetails done = awaitJob(job.getId(), timeout, progress);
    if (done.getJob().getStatus() != JobStatus.JOB_STATUS_DONE) {
      throw new JobFailedException(done);
    }
    return new TrainingDataset(done.getJob().getRetrieval().getOutputLocation(), done);
  }

  // --- online

  public GetFeastServingInfoResponse servingInfo() {
    return block(reactive.servingInfo());
  }

  public GetOnlineFeaturesResponse getOnlineFeatures(
      String project, List<String> featureRefs, List<EntityRow> entityRows) {
    return block(reactive.getOnlineFeatures(project, featureRefs, entityRows));
  }

  /** One entity row from name/value pairs: {@code entityRow("driver_id", 1001L)}. */
  public static EntityRow entityRow(Object... namesAndValues) {
    return Values.entityRow(namesAndValues);
  }

  private <T> T block(Mono<T> call) {
    return call.block(wait);
  }

  private <T> List<T> list(Flux<T> call) {
    return call.collectList().block(wait);
  }

  @Override
  public void close() {
    reactive.close();
  }
}
