package io.larder.orchestrator;

import static io.larder.orchestrator.support.OrchestratorTestBase.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.orchestrator.support.Kafka;
import io.larder.orchestrator.support.OnlineStore;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Registry;
import io.larder.orchestrator.support.ServiceProcess;
import io.larder.orchestrator.support.Tables;
import io.larder.orchestrator.support.TestSchemas;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobExtServiceGrpc;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator killed with SIGKILL while a stream job runs, then started again: it adopts the
 * job's still-running process instead of starting a twin, and still lists every job.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OrchestratorCrashIT {

  private static final String PROJECT = "crash_" + UUID.randomUUID().toString().substring(0, 6);

  @TempDir Path home;

  @Test
  void aRestartedOrchestratorAdoptsItsRunningStreamJobAndKnowsEveryJob() throws Exception {
    Path logs = Path.of("target", "it-logs", "crash-" + UUID.randomUUID());
    Path history = home.resolve("history.csv");
    Files.writeString(history, "driver_id,trips,rating,ts\n7,1,2.0,2030-01-01T00:00:00Z\n");
    String topic = "it-crash-" + UUID.randomUUID();
    int grpcPort = ServiceProcess.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("LARDER_ORCHESTRATOR_GRPC_PORT", String.valueOf(grpcPort));
    env.put("LARDER_ORCHESTRATOR_HTTP_PORT", String.valueOf(ServiceProcess.freePort()));
    String schema = TestSchemas.name("orch_crash");
    env.put("LARDER_ORCHESTRATOR_SCHEMA", schema);
    env.put("LARDER_ORCHESTRATOR_HOME", home.toString());
    env.put(
        "LARDER_JOBS_HOME",
        Path.of("..", "ingestion-jobs", "target").toAbsolutePath().normalize().toString());
    env.put("LARDER_REDIS_URI", OrchestratorTestBase.REDIS);
    env.put("LARDER_JOB_JAVA_OPTS", "-Xmx768m");
    Path jar = ServiceProcess.jar("orchestrator", "larder-orchestrator");
    String[] args = {
      "--larder.grpc.host=127.0.0.1",
      "--larder.orchestrator.stream.reconcile-interval=500ms",
      "--larder.orchestrator.spark.master=local[2]",
      "--larder.orchestrator.spark.conf.spark.ui.enabled=false"
    };
    List<Long> jobPids = new java.util.ArrayList<>();
    try (Registry registry = Registry.start(logs)) {
      env.put("LARDER_REGISTRY_TARGET", registry.target());
      registry.applyEntity(PROJECT, "driver_id", ValueType.Enum.INT64);
      registry.applyTable(PROJECT, Tables.drivers("history", history).build());
      ServiceProcess first = ServiceProcess.start("orchestrator-1", jar, env, grpcPort, logs, args);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      try {
        var jobs = JobServiceGrpc.newBlockingStub(channel);
        String batch =
            jobs.withDeadlineAfter(30, TimeUnit.SECONDS)
                .startOfflineToOnlineIngestionJob(
                    StartOfflineToOnlineIngestionJobRequest.newBuilder()
                        .setProject(PROJECT)
                        .setTableName("history")
                        .setStartDate(BatchAndRetrievalJobsIT.time("2029-01-01T00:00:00Z"))
                        .setEndDate(BatchAndRetrievalJobsIT.time("2031-01-01T00:00:00Z"))
                        .build())
                .getId();
        registry.applyTable(PROJECT, Tables.streamed("events", history, topic).build());
        await(
            () ->
                active(channel, "events").size() == 1
                    && status(channel, batch).equals(JobStatus.JOB_STATUS_DONE),
            Duration.ofMinutes(3),
            () -> "a running stream job and the batch job done; jobs: " + all(channel));
        Job stream = active(channel, "events").get(0);
        long pid = pid(channel, stream.getId());
        jobPids.add(pid);

        first.kill();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
            .as("the stream job outlives the orchestrator")
            .contains(true);
        try (ServiceProcess second =
            ServiceProcess.start("orchestrator-2", jar, env, grpcPort, logs, args)) {
          ManagedChannel again =
              NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
          try {
            // Several control-loop passes after the restart.
            Thread.sleep(5000);
            List<Job> running = active(again, "events");
            assertThat(running).extracting(Job::getId).containsExactly(stream.getId());
            assertThat(running.get(0).getStatus()).isEqualTo(JobStatus.JOB_STATUS_RUNNING);
            assertThat(pid(again, stream.getId())).as("adopted, not relaunched").isEqualTo(pid);
            assertThat(all(again)).extracting(Job::getId).contains(batch, stream.getId());

            // The adopted job still ingests.
            try (Kafka kafka = new Kafka();
                OnlineStore redis = new OnlineStore(OrchestratorTestBase.REDIS)) {
              kafka.driverEvent(topic, 4242, 42, 1.5, Instant.now().getEpochSecond());
              await(
                  () ->
                      Value.newBuilder()
                          .setInt64Val(42)
                          .build()
                          .equals(
                              redis.driverFeature(
                                  PROJECT, 4242, "events", "trips", ValueType.Enum.INT64)),
                  Duration.ofMinutes(3),
                  () -> "the message in Redis");
            }
            JobServiceGrpc.newBlockingStub(again)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .cancelJob(CancelJobRequest.newBuilder().setJobId(stream.getId()).build());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .isNotEqualTo(java.util.Optional.of(true));
          } finally {
            again.shutdownNow();
          }
        }
      } finally {
        channel.shutdownNow();
        first.close();
        // Whatever happened above, no Spark job outlives the test.
        for (long pid : jobPids) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        TestSchemas.drop(schema);
      }
    }
  }

  private static List<Job> active(ManagedChannel channel, String table) {
    return JobServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .listJobs(ListJobsRequest.newBuilder().setTableName(table).build())
        .getJobsList();
  }

  private static List<Job> all(ManagedChannel channel) {
    return JobServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .listJobs(ListJobsRequest.newBuilder().setIncludeTerminated(true).build())
        .getJobsList();
  }

  private static JobStatus status(ManagedChannel channel, String id) {
    return all(channel).stream()
        .filter(job -> job.getId().equals(id))
        .map(Job::getStatus)
        .findFirst()
        .orElse(JobStatus.JOB_STATUS_INVALID);
  }

  private static long pid(ManagedChannel channel, String id) {
    return JobExtServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .getJobDetails(GetJobDetailsRequest.newBuilder().setJobId(id).build())
        .getPid();
  }
}
