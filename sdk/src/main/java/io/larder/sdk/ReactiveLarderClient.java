package io.larder.sdk;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.core.ReactorJobServiceGrpc;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.proto.larder.ReactorJobExtServiceGrpc;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.ReactorStreamingServingServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityRequest;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The reactive client of the registry, the job service and the online gateway. Every call has the
 * settings' deadline; reads that find a service unavailable are retried; every failure is a {@link
 * LarderException} naming the service and its address. Nothing is sent before subscription.
 */
public final class ReactiveLarderClient implements AutoCloseable {

  static final String REGISTRY = "registry";
  static final String JOB_SERVICE = "job service";
  static final String GATEWAY = "online gateway";

  private final LarderSettings settings;
  private final ManagedChannel registry;
  private final ManagedChannel jobService;
  private final ManagedChannel serving;

  ReactiveLarderClient(
      LarderSettings settings,
      ManagedChannel registry,
      ManagedChannel jobService,
      ManagedChannel serving) {
    this.settings = settings;
    this.registry = registry;
    this.jobService = jobService;
    this.serving = serving;
  }

  /** A client with its own channels to the services the settings name. */
  public static ReactiveLarderClient connect(LarderSettings settings) {
    return new ReactiveLarderClient(
        settings,
        Channels.open(settings.registry(), settings),
        Channels.open(settings.jobService(), settings),
        Channels.open(settings.serving(), settings));
  }

  public LarderSettings settings() {
    return settings;
  }

  // --- registry -------------------------------------------------------------------------------

  public Mono<String> registryVersion() {
    return read(
        REGISTRY,
        () ->
            core()
                .getFeastCoreVersion(GetFeastCoreVersionRequest.getDefaultInstance())
                .map(r -> r.getVersion()));
  }

  public Mono<Void> createProject(String name) {
    return write(
        REGISTRY,
        () -> core().createProject(CreateProjectRequest.newBuilder().setName(name).build()).then());
  }

  public Flux<String> listProjects() {
    return read(
            REGISTRY,
            () ->
                core()
                    .listProjects(ListProjectsRequest.getDefaultInstance())
                    .map(r -> r.getProjectsList()))
        .flatMapIterable(Function.identity());
  }

  public Mono<Void> archiveProject(String name) {
    return write(
        REGISTRY,
        () ->
            core().archiveProject(ArchiveProjectRequest.newBuilder().setName(name).build()).then());
  }

  public Mono<Entity> applyEntity(String project, EntitySpecV2 spec) {
    return write(
        REGISTRY,
        () ->
            core()
                .applyEntity(
                    ApplyEntityRequest.newBuilder().setProject(project).setSpec(spec).build())
                .map(r -> r.getEntity()));
  }

  public Mono<Entity> getEntity(String project, String name) {
    return read(
        REGISTRY,
        () ->
            core()
                .getEntity(GetEntityRequest.newBuilder().setProject(project).setName(name).build())
                .map(r -> r.getEntity()));
  }

  public Flux<Entity> listEntities(String project) {
    ListEntitiesRequest request =
        ListEntitiesRequest.newBuilder()
            .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
            .build();
    return read(REGISTRY, () -> core().listEntities(request).map(r -> r.getEntitiesList()))
        .flatMapIterable(Function.identity());
  }

  /** Deletes an entity no feature table uses (a Larder registry extension; Feast 0.9 has none). */
  public Mono<Void> deleteEntity(String project, String name) {
    return write(
        REGISTRY,
        () ->
            ReactorRegistryExtServiceGrpc.newReactorStub(registry)
                .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS)
                .deleteEntity(
                    DeleteEntityRequest.newBuilder().setProject(project).setName(name).build())
                .then());
  }

  public Mono<FeatureTable> applyFeatureTable(String project, FeatureTableSpec spec) {
    return write(
        REGISTRY,
        () ->
            core()
                .applyFeatureTable(
                    ApplyFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setTableSpec(spec)
                        .build())
                .map(r -> r.getTable()));
  }

  public Mono<FeatureTable> getFeatureTable(String project, String name) {
    return read(
        REGISTRY,
        () ->
            core()
                .getFeatureTable(
                    GetFeatureTableRequest.newBuilder().setProject(project).setName(name).build())
                .map(r -> r.getTable()));
  }

  public Flux<FeatureTable> listFeatureTables(String project) {
    ListFeatureTablesRequest request =
        ListFeatureTablesRequest.newBuilder()
            .setFilter(ListFeatureTablesRequest.Filter.newBuilder().setProject(project))
            .build();
    return read(REGISTRY, () -> core().listFeatureTables(request).map(r -> r.getTablesList()))
        .flatMapIterable(Function.identity());
  }

  public Mono<Void> deleteFeatureTable(String project, String name) {
    return write(
        REGISTRY,
        () ->
            core()
                .deleteFeatureTable(
                    DeleteFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName(name)
                        .build())
                .then());
  }

  // --- jobs -----------------------------------------------------------------------------------

  /** Batch ingestion of the table's batch source rows with event times in {@code [start, end)}. */
  public Mono<Job> startBatchIngestion(String project, String table, Instant start, Instant end) {
    StartOfflineToOnlineIngestionJobRequest request =
        StartOfflineToOnlineIngestionJobRequest.newBuilder()
            .setProject(project)
            .setTableName(table)
            .setStartDate(timestamp(start))
            .setEndDate(timestamp(end))
            .build();
    return write(JOB_SERVICE, () -> jobs().startOfflineToOnlineIngestionJob(request))
        .flatMap(started -> getJob(started.getId()));
  }

  /** The table's running stream job when its spec is current, else a new one. */
  public Mono<Job> startStreamIngestion(String project, String table) {
    StartStreamToOnlineIngestionJobRequest request =
        StartStreamToOnlineIngestionJobRequest.newBuilder()
            .setProject(project)
            .setTableName(table)
            .build();
    return write(JOB_SERVICE, () -> jobs().startStreamToOnlineIngestionJob(request))
        .flatMap(started -> getJob(started.getId()));
  }

  /**
   * Starts moving the table's online rows into {@code layout} (hash or packed): a job that copies
   * them, switches the table and removes the old rows while lookups go on. Emits the job.
   */
  public Mono<JobDetails> migrateOnlineLayout(String project, String table, String layout) {
    MigrateOnlineLayoutRequest request =
        MigrateOnlineLayoutRequest.newBuilder()
            .setProject(project)
            .setTableName(table)
            .setLayout(layout)
            .build();
    return write(JOB_SERVICE, () -> jobExt().migrateOnlineLayout(request));
  }

  /**
   * Cancels the table's active stream jobs; they stay stopped until the table's spec changes or
   * {@link #startStreamIngestion} is called. Emits the cancelled jobs (none when none ran).
   */
  public Flux<Job> stopStreamIngestion(String project, String table) {
    ListJobDetailsRequest request =
        ListJobDetailsRequest.newBuilder()
            .setProject(project)
            .setTableName(table)
            .setType(JobType.STREAM_INGESTION_JOB)
            .build();
    return read(JOB_SERVICE, () -> jobExt().listJobDetails(request).map(r -> r.getJobsList()))
        .flatMapIterable(Function.identity())
        .concatMap(details -> cancelJob(details.getJob().getId()));
  }

  /**
   * Starts a point-in-time retrieval of {@code featureRefs} ({@code table:feature}) for the entity
   * rows in {@code entitySource} (a BATCH_FILE source: parquet, or CSV by its suffix).
   */
  public Mono<Job> startHistoricalRetrieval(
      String project, List<String> featureRefs, DataSource entitySource, String outputLocation) {
    GetHistoricalFeaturesRequest request =
        GetHistoricalFeaturesRequest.newBuilder()
            .setProject(project)
            .addAllFeatureRefs(featureRefs)
            .setEntitySource(entitySource)
            .setOutputLocation(outputLocation == null ? "" : outputLocation)
            .setOutputFormat("parquet")
            .build();
    return write(JOB_SERVICE, () -> jobs().getHistoricalFeatures(request))
        .flatMap(started -> getJob(started.getId()));
  }

  public Flux<Job> listJobs(boolean includeTerminated, String table) {
    ListJobsRequest request =
        ListJobsRequest.newBuilder()
            .setIncludeTerminated(includeTerminated)
            .setTableName(table == null ? "" : table)
            .build();
    return read(JOB_SERVICE, () -> jobs().listJobs(request).map(r -> r.getJobsList()))
        .flatMapIterable(Function.identity());
  }

  /** Jobs with what Feast's {@code Job} lacks (project, error, progress, history). */
  public Flux<JobDetails> listJobDetails(ListJobDetailsRequest request) {
    return read(JOB_SERVICE, () -> jobExt().listJobDetails(request).map(r -> r.getJobsList()))
        .flatMapIterable(Function.identity());
  }

  public Mono<Job> getJob(String id) {
    return read(
        JOB_SERVICE,
        () -> jobs().getJob(GetJobRequest.newBuilder().setJobId(id).build()).map(r -> r.getJob()));
  }

  public Mono<JobDetails> getJobDetails(String id) {
    return read(
        JOB_SERVICE,
        () -> jobExt().getJobDetails(GetJobDetailsRequest.newBuilder().setJobId(id).build()));
  }

  public Mono<Job> cancelJob(String id) {
    return write(
            JOB_SERVICE,
            () -> jobs().cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()).then())
        .then(getJob(id));
  }

  /**
   * Polls the job every {@code interval} until it ends (DONE or ERROR), handing each new state to
   * {@code progress}; emits the final details. A stream job never ends on its own.
   */
  public Mono<JobDetails> awaitJob(String id, Duration interval, Consumer<JobDetails> progress) {
    return Flux.interval(Duration.ZERO, interval)
        .concatMap(tick -> getJobDetails(id))
        .distinctUntilChanged()
        .doOnNext(progress)
        .filter(ReactiveLarderClient::ended)
        .next();
  }

  static boolean ended(JobDetails details) {
    JobStatus status = details.getJob().getStatus();
    return status == JobStatus.JOB_STATUS_DONE || status == JobStatus.JOB_STATUS_ERROR;
  }

  // --- online ---------------------------------------------------------------------------------

  public Mono<GetFeastServingInfoResponse> servingInfo() {
    return read(
        GATEWAY,
        () -> serving().getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance()));
  }

  /** The latest values of {@code featureRefs} ({@code table:feature}) per entity row. */
  public Mono<GetOnlineFeaturesResponse> getOnlineFeatures(
      String project, List<String> featureRefs, List<EntityRow> entityRows) {
    GetOnlineFeaturesRequestV2 request = onlineRequest(project, featureRefs, entityRows);
    return read(GATEWAY, () -> serving().getOnlineFeaturesV2(request));
  }

  /** As {@link #getOnlineFeatures}, each row as soon as it is read (rows may come out of order). */
  public Flux<StreamedFeatureRow> streamOnlineFeatures(
      String project, List<String> featureRefs, List<EntityRow> entityRows) {
    GetOnlineFeaturesRequestV2 request = onlineRequest(project, featureRefs, entityRows);
    return Flux.defer(
            () ->
                ReactorStreamingServingServiceGrpc.newReactorStub(serving)
                    .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .streamOnlineFeatures(request))
        .onErrorMap(error -> LarderException.of(GATEWAY, settings.serving(), error));
  }

  static GetOnlineFeaturesRequestV2 onlineRequest(
      String project, List<String> featureRefs, List<EntityRow> entityRows) {
    GetOnlineFeaturesRequestV2.Builder request =
        GetOnlineFeaturesRequestV2.newBuilder().setProject(project).addAllEntityRows(entityRows);
    for (String ref : featureRefs) {
      request.addFeatures(featureReference(ref));
    }
    return request.build();
  }

  /** {@code table:feature} as a feature reference; anything else is refused. */
  public static FeatureReferenceV2 featureReference(String ref) {
    int colon = ref.indexOf(':');
    if (colon <= 0 || colon == ref.length() - 1 || ref.indexOf(':', colon + 1) >= 0) {
      throw new IllegalArgumentException(
          "feature reference '%s' is not table:feature".formatted(ref));
    }
    return FeatureReferenceV2.newBuilder()
        .setFeatureTable(ref.substring(0, colon))
        .setName(ref.substring(colon + 1))
        .build();
  }

  // --- plumbing -------------------------------------------------------------------------------

  private ReactorCoreServiceGrpc.ReactorCoreServiceStub core() {
    return ReactorCoreServiceGrpc.newReactorStub(registry)
        .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  private ReactorJobServiceGrpc.ReactorJobServiceStub jobs() {
    return ReactorJobServiceGrpc.newReactorStub(jobService)
        .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  private ReactorJobExtServiceGrpc.ReactorJobExtServiceStub jobExt() {
    return ReactorJobExtServiceGrpc.newReactorStub(jobService)
        .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  private ReactorServingServiceGrpc.ReactorServingServiceStub serving() {
    return ReactorServingServiceGrpc.newReactorStub(serving)
        .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A read: a fresh stub (and deadline) per attempt, retried while the service is unavailable. */
  private <T> Mono<T> read(String service, java.util.function.Supplier<Mono<T>> call) {
    return Mono.defer(call)
        .retryWhen(
            Retry.backoff(settings.retries(), Duration.ofMillis(200))
                .filter(error -> Status.fromThrowable(error).getCode() == Status.Code.UNAVAILABLE)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .onErrorMap(error -> LarderException.of(service, target(service), error));
  }

  /** A write: never retried (the service may have acted on it). */
  private <T> Mono<T> write(String service, java.util.function.Supplier<Mono<T>> call) {
    return Mono.defer(call)
        .onErrorMap(error -> LarderException.of(service, target(service), error));
  }

  private String target(String service) {
    return switch (service) {
      case REGISTRY -> settings.registry();
      case JOB_SERVICE -> settings.jobService();
      default -> settings.serving();
    };
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  @Override
  public void close() {
    for (ManagedChannel channel : List.of(registry, jobService, serving)) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : List.of(registry, jobService, serving)) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
