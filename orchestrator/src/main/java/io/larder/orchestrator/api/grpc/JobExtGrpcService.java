package io.larder.orchestrator.api.grpc;

import io.larder.orchestrator.api.JobAccess;
import io.larder.orchestrator.api.OrchestratorErrors;
import io.larder.orchestrator.job.JobStore.JobQuery;
import io.larder.orchestrator.job.JobViews;
import io.larder.orchestrator.run.JobCommands;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsResponse;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.proto.larder.ReactorJobExtServiceGrpc;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** What Feast's Job lacks (error, progress, times, history) and layout migrations, over gRPC. */
@Component
class JobExtGrpcService extends ReactorJobExtServiceGrpc.JobExtServiceImplBase {

  private final JobCommands jobs;

  JobExtGrpcService(JobCommands jobs) {
    this.jobs = jobs;
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return OrchestratorErrors.toGrpc(error);
  }

  @Override
  public Mono<JobDetails> getJobDetails(GetJobDetailsRequest request) {
    Caller caller = GrpcAuthentication.current();
    return jobs.get(request.getJobId())
        .flatMap(job -> JobAccess.allowed(caller, ProjectRole.READER, job, "read jobs"))
        .flatMap(
            job ->
                jobs.history(job.id())
                    .collectList()
                    .map(history -> JobViews.details(job, history)));
  }

  @Override
  public Mono<JobDetails> migrateOnlineLayout(MigrateOnlineLayoutRequest request) {
    Caller caller = GrpcAuthentication.current();
    return JobAccess.require(
            caller, ProjectRole.WRITER, request.getProject(), "move tables between layouts")
        .then(
            Mono.defer(
                () ->
                    jobs.migrateOnlineLayout(
                        request.getProject(), request.getTableName(), request.getLayout())))
        .flatMap(
            job ->
                jobs.history(job.id())
                    .collectList()
                    .map(history -> JobViews.details(job, history)));
  }

  @Override
  public Mono<ListJobDetailsResponse> listJobDetails(ListJobDetailsRequest request) {
    JobQuery query =
        new JobQuery(
            request.getIncludeTerminated(),
            request.getProject(),
            request.getTableName(),
            request.getType(),
            request.getLimit());
    Caller caller = GrpcAuthentication.current();
    return jobs.list(query)
        .filter(job -> JobAccess.mayRead(caller, job))
        .concatMap(
            job ->
                jobs.history(job.id()).collectList().map(history -> JobViews.details(job, history)))
        .collectList()
        .map(found -> ListJobDetailsResponse.newBuilder().addAllJobs(found).build());
  }
}
