package io.larder.loadtest.jobs;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceGrpc.CoreServiceBlockingStub;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceGrpc.JobServiceBlockingStub;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.larder.JobExtServiceGrpc;
import io.larder.proto.larder.JobExtServiceGrpc.JobExtServiceBlockingStub;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Blocking stubs to the registry and the orchestrator, each call with the options' deadline. */
final class BenchClients implements AutoCloseable {

  private final Duration deadline;
  private final ManagedChannel registry;
  private final ManagedChannel orchestrator;
  private final List<ManagedChannel> channels = new ArrayList<>();

  BenchClients(ConnectionOptions options) {
    this.deadline = options.deadline;
    this.registry = open(options.registry);
    this.orchestrator = open(options.orchestrator);
  }

  private ManagedChannel open(String target) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  CoreServiceBlockingStub registry() {
    return CoreServiceGrpc.newBlockingStub(registry)
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  JobServiceBlockingStub jobs() {
    return jobs(deadline);
  }

  JobServiceBlockingStub jobs(Duration callDeadline) {
    return JobServiceGrpc.newBlockingStub(orchestrator)
        .withDeadlineAfter(callDeadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  JobExtServiceBlockingStub jobDetails() {
    return JobExtServiceGrpc.newBlockingStub(orchestrator)
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  JobDetails details(String jobId) {
    return jobDetails().getJobDetails(GetJobDetailsRequest.newBuilder().setJobId(jobId).build());
  }

  /**
   * CancelJob; a job that already ended is fine. The call returns once the job's process is gone,
   * which takes up to the orchestrator's stop grace (10 s by default): its own, longer deadline.
   */
  void cancel(String jobId) {
    try {
      jobs(deadline.plusSeconds(30))
          .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
      System.out.printf("cancelled job %s%n", jobId);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
    }
  }

  static boolean terminal(JobStatus status) {
    return status == JobStatus.JOB_STATUS_DONE || status == JobStatus.JOB_STATUS_ERROR;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
