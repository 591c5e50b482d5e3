package io.larder.orchestrator.api.http;

import io.larder.orchestrator.OrchestratorException;
import io.larder.orchestrator.api.JobAccess;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore.JobQuery;
import io.larder.orchestrator.job.JobViews;
import io.larder.orchestrator.run.JobCommands;
import io.larder.proto.core.JobServiceProto.CancelJobResponse;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesResponse;
import io.larder.proto.core.JobServiceProto.GetJobResponse;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.ListJobsResponse;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobResponse;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsResponse;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.support.http.ProtoJson;
import io.larder.support.security.HttpCallers;
import io.larder.support.security.ProjectRole;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Adapts HTTP requests to the job commands; same semantics as the gRPC API. */
@Component
class JobHttpHandlers {

  /** The most of a job's log one request returns (its end). */
  private static final int MAX_LOG_BYTES = 1 << 20;

  private final JobCommands jobs;
  private final HttpCallers callers;

  JobHttpHandlers(JobCommands jobs, HttpCallers callers) {
    this.jobs = jobs;
    this.callers = callers;
  }

  Mono<ServerResponse> startBatchIngestion(ServerRequest request) {
    return ProtoJson.<StartOfflineToOnlineIngestionJobRequest>body(
            request, StartOfflineToOnlineIngestionJobRequest::newBuilder)
        .flatMap(
            start ->
                allowed(request, ProjectRole.WRITER, start.getProject(), "ingest tables")
                    .then(Mono.defer(() -> jobs.startBatchIngestion(start))))
        .flatMap(
            job ->
                ProtoJson.respond(
                    ServerResponse.accepted(),
                    StartOfflineToOnlineIngestionJobResponse.newBuilder()
                        .setId(job.id())
                        .setJobStartTime(JobViews.timestamp(job.createdAt()))
                        .setTableName(job.tableName())
                        .setLogUri(job.logUri())
                        .build()));
  }

  Mono<ServerResponse> getHistoricalFeatures(ServerRequest request) {
    return ProtoJson.<GetHistoricalFeaturesRequest>body(
            request, GetHistoricalFeaturesRequest::newBuilder)
        .flatMap(
            retrieve ->
                allowed(
                        request,
                        ProjectRole.READER,
                        retrieve.getProject(),
                        "retrieve historical features")
                    .then(Mono.defer(() -> jobs.startHistoricalRetrieval(retrieve))))
        .flatMap(
            job ->
                ProtoJson.respond(
                    ServerResponse.accepted(),
                    GetHistoricalFeaturesResponse.newBuilder()
                        .setId(job.id())
                        .setOutputFileUri(job.outputLocation())
                        .setJobStartTime(JobViews.timestamp(job.createdAt()))
                        .setLogUri(job.logUri())
                        .build()));
  }

  Mono<ServerResponse> startStreamIngestion(ServerRequest request) {
    return ProtoJson.<StartStreamToOnlineIngestionJobRequest>body(
            request, StartStreamToOnlineIngestionJobRequest::newBuilder)
        .flatMap(
            start ->
                allowed(request, ProjectRole.WRITER, start.getProject(), "ingest tables")
                    .then(
                        Mono.defer(
                            () ->
                                jobs.startStreamIngestion(
                                    start.getProject(), start.getTableName()))))
        .flatMap(
            job ->
                ProtoJson.ok(
                    StartStreamToOnlineIngestionJobResponse.newBuilder()
                        .setId(job.id())
                        .setJobStartTime(
                            JobViews.timestamp(
                                job.startedAt() != null ? job.startedAt() : job.createdAt()))
                        .setTableName(job.tableName())
                        .setLogUri(job.logUri())
                        .build()));
  }

  Mono<ServerResponse> migrateOnlineLayout(ServerRequest request) {
    return ProtoJson.<MigrateOnlineLayoutRequest>body(
            request, MigrateOnlineLayoutRequest::newBuilder)
        .flatMap(
            migrate ->
                allowed(
                        request,
                        ProjectRole.WRITER,
                        migrate.getProject(),
                        "move tables between layouts")
                    .then(
                        Mono.defer(
                            () ->
                                jobs.migrateOnlineLayout(
                                    migrate.getProject(),
                                    migrate.getTableName(),
                                    migrate.getLayout()))))
        .flatMap(this::details)
        .flatMap(ProtoJson::ok);
  }

  Mono<ServerResponse> listJobs(ServerRequest request) {
    return callers
        .of(request)
        .flatMapMany(
            caller ->
                Mono.fromCallable(() -> query(request))
                    .flatMapMany(jobs::list)
                    .filter(job -> JobAccess.mayRead(caller, job)))
        .map(JobViews::feastJob)
        .collectList()
        .flatMap(found -> ProtoJson.ok(ListJobsResponse.newBuilder().addAllJobs(found).build()));
  }

  Mono<ServerResponse> listJobDetails(ServerRequest request) {
    return callers
        .of(request)
        .flatMapMany(
            caller ->
                Mono.fromCallable(() -> query(request))
                    .flatMapMany(jobs::list)
                    .filter(job -> JobAccess.mayRead(caller, job)))
        .concatMap(this::details)
        .collectList()
        .flatMap(
            found -> ProtoJson.ok(ListJobDetailsResponse.newBuilder().addAllJobs(found).build()));
  }

  Mono<ServerResponse> getJob(ServerRequest request) {
    return readable(request)
        .flatMap(
            job ->
                ProtoJson.ok(GetJobResponse.newBuilder().setJob(JobViews.feastJob(job)).build()));
  }

  Mono<ServerResponse> getJobDetails(ServerRequest request) {
    return readable(request).flatMap(this::details).flatMap(ProtoJson::ok);
  }

  Mono<ServerResponse> cancelJob(ServerRequest request) {
    return callers
        .of(request)
        .flatMap(
            caller ->
                jobs.get(request.pathVariable("id"))
                    .flatMap(
                        job -> JobAccess.allowed(caller, ProjectRole.WRITER, job, "cancel jobs")))
        .flatMap(job -> jobs.cancel(job.id()))
        .then(ProtoJson.ok(CancelJobResponse.getDefaultInstance()));
  }

  /** The end of the job's log as text (at most 1 MiB). */
  Mono<ServerResponse> jobLog(ServerRequest request) {
    return readable(request)
        .flatMap(
            job ->
                Mono.fromCallable(() -> tail(job))
                    // File reads are blocking: off the event loop.
                    .subscribeOn(Schedulers.boundedElastic()))
        .flatMap(text -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(text));
  }

  private Mono<Void> allowed(
      ServerRequest request, ProjectRole role, String project, String action) {
    return callers.of(request).flatMap(caller -> JobAccess.require(caller, role, project, action));
  }

  /** The job the path names, once the caller is found to read its project. */
  private Mono<JobRow> readable(ServerRequest request) {
    return callers
        .of(request)
        .flatMap(
            caller ->
                jobs.get(request.pathVariable("id"))
                    .flatMap(
                        job -> JobAccess.allowed(caller, ProjectRole.READER, job, "read jobs")));
  }

  private Mono<io.larder.proto.larder.JobServiceExtProto.JobDetails> details(JobRow job) {
    return jobs.history(job.id()).collectList().map(history -> JobViews.details(job, history));
  }

  private static String tail(JobRow job) throws IOException {
    if (job.logUri().isEmpty()) {
      return "";
    }
    Path log = Path.of(URI.create(job.logUri()));
    if (!Files.exists(log)) {
      return "";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, file.length() - MAX_LOG_BYTES);
      byte[] bytes = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static JobQuery query(ServerRequest request) {
    boolean includeTerminated =
        request.queryParam("includeTerminated").map(Boolean::parseBoolean).orElse(false);
    String type = request.queryParam("type").orElse("");
    JobType jobType;
    try {
      jobType = type.isEmpty() ? JobType.INVALID_JOB : JobType.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw OrchestratorException.invalid(
          "type: '%s' is not one of BATCH_INGESTION_JOB, STREAM_INGESTION_JOB, RETRIEVAL_JOB",
          type);
    }
    int limit;
    try {
      limit = Integer.parseInt(request.queryParam("limit").orElse("0"));
    } catch (NumberFormatException e) {
      throw OrchestratorException.invalid("limit: must be a number");
    }
    return new JobQuery(
        includeTerminated,
        request.queryParam("project").orElse(""),
        request.queryParam("table").orElse(""),
        jobType,
        limit);
  }
}
