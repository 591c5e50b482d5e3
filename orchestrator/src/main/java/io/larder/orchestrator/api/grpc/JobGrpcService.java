package io.larder.orchestrator.api.grpc;

import io.larder.orchestrator.api.JobAccess;
import io.larder.orchestrator.api.OrchestratorErrors;
import io.larder.orchestrator.job.JobStore.JobQuery;
import io.larder.orchestrator.job.JobViews;
import io.larder.orchestrator.run.JobCommands;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.CancelJobResponse;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesResponse;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.GetJobResponse;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.ListJobsResponse;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobResponse;
import io.larder.proto.core.ReactorJobServiceGrpc;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Feast 0.9's JobService over gRPC: adapts messages and delegates. */
@Component
class JobGrpcService extends ReactorJobServiceGrpc.JobServiceImplBase {

  private final JobCommands jobs;

  JobGrpcService(JobCommands jobs) {
    this.jobs = jobs;
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return OrchestratorErrors.toGrpc(error);
  }

  @Override
  public Mono<StartOfflineToOnlineIngestionJobResponse> startOfflineToOnlineIngestionJob(
      StartOfflineToOnlineIngestionJobRequest request) {
    Caller caller = GrpcAuthentication.current();
    return JobAccess.require(caller, ProjectRole.WRITER, request.getProject(), "ingest tables")
        .then(Mono.defer(() -> jobs.startBatchIngestion(request)))
        .map(
            job ->
                StartOfflineToOnlineIngestionJobResponse.newBuilder()
                    .setId(job.id())
                    .setJobStartTime(JobViews.timestamp(job.createdAt()))
                    .setTableName(job.tableName())
                    .setLogUri(job.logUri())
                    .build());
  }

  @Override
  public Mono<GetHistoricalFeaturesResponse> getHistoricalFeatures(
      GetHistoricalFeaturesRequest request) {
    Caller caller = GrpcAuthentication.current();
    return JobAccess.require(
            caller, ProjectRole.READER, request.getProject(), "retrieve historical features")
        .then(Mono.defer(() -> jobs.startHistoricalRetrieval(request)))
        .map(
            job ->
                GetHistoricalFeaturesResponse.newBuilder()
                    .setId(job.id())
                    .setOutputFileUri(job.outputLocation())
                    .setJobStartTime(JobViews.timestamp(job.createdAt()))
                    .setLogUri(job.logUri())
                    .build());
  }

  @Override
  public Mono<StartStreamToOnlineIngestionJobResponse> startStreamToOnlineIngestionJob(
      StartStreamToOnlineIngestionJobRequest request) {
    Caller caller = GrpcAuthentication.current();
    return JobAccess.require(caller, ProjectRole.WRITER, request.getProject(), "ingest tables")
        .then(
            Mono.defer(
                () -> jobs.startStreamIngestion(request.getProject(), request.getTableName())))
        .map(
            job ->
                StartStreamToOnlineIngestionJobResponse.newBuilder()
                    .setId(job.id())
                    .setJobStartTime(
                        JobViews.timestamp(
                            job.startedAt() != null ? job.startedAt() : job.createdAt()))
                    .setTableName(job.tableName())
                    .setLogUri(job.logUri())
                    .build());
  }

  @Override
  public Mono<ListJobsResponse> listJobs(ListJobsRequest request) {
    Caller caller = GrpcAuthentication.current();
    return jobs.list(JobQuery.all(request.getIncludeTerminated(), request.getTableName()))
        .filter(job -> JobAccess.mayRead(caller, job))
        .map(JobViews::feastJob)
        .collectList()
        .map(found -> ListJobsResponse.newBuilder().addAllJobs(found).build());
  }

  @Override
  public Mono<GetJobResponse> getJob(GetJobRequest request) {
    Caller caller = GrpcAuthentication.current();
    return jobs.get(request.getJobId())
        .flatMap(job -> JobAccess.allowed(caller, ProjectRole.READER, job, "read jobs"))
        .map(job -> GetJobResponse.newBuilder().setJob(JobViews.feastJob(job)).build());
  }

  @Override
  public Mono<CancelJobResponse> cancelJob(CancelJobRequest request) {
    Caller caller = GrpcAuthentication.current();
    return jobs.get(request.getJobId())
        .flatMap(job -> JobAccess.allowed(caller, ProjectRole.WRITER, job, "cancel jobs"))
        .flatMap(job -> jobs.cancel(job.id()))
        .thenReturn(CancelJobResponse.getDefaultInstance());
  }
}
