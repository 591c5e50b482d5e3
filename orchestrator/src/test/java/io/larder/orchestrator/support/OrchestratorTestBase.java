package io.larder.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.larder.JobExtServiceGrpc;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * An orchestrator in this JVM against the real registry (its jar, own schema), PostgreSQL, Redis,
 * Kafka and the built Spark jobs. Each test class gets its own registry, job-store schema and home
 * directory, and its context is closed after the class, which stops every job it started.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.orchestrator.stop-jobs-on-shutdown=true",
      "larder.orchestrator.stream.reconcile-interval=500ms",
      "larder.orchestrator.stop-grace=5s",
      "larder.orchestrator.schedule-check-interval=1s",
      "larder.orchestrator.jobs.home=../ingestion-jobs/target",
      "larder.orchestrator.jobs.java-options=-Xmx768m",
      "larder.orchestrator.spark.conf.spark.sql.shuffle.partitions=2",
      "larder.orchestrator.spark.conf.spark.ui.enabled=false",
      "larder.orchestrator.spark.master=local[2]",
      "LARDER_LOG_FORMAT="
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@Import(OrchestratorTestBase.JobStoreSchema.class)
public abstract class OrchestratorTestBase {

  public static final String REDIS =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  public static final String KAFKA =
      "127.0.0.1:" + System.getenv().getOrDefault("LARDER_KAFKA_PORT", "9092");

  protected static Registry registry;
  protected static Path home;
  private static volatile String jobSchema;

  @Autowired protected GrpcServerLifecycle grpcServer;
  @LocalServerPort protected int httpPort;
  protected WebTestClient http;

  private ManagedChannel channel;

  /** Before the subclass's own @BeforeAll and before Spring reads the properties below. */
  @BeforeAll
  static void startRegistry() throws Exception {
    home = Files.createTempDirectory("larder-orchestrator-it");
    registry = Registry.start(Path.of("target", "it-logs", UUID.randomUUID().toString()));
  }

  @DynamicPropertySource
  static void orchestratorProperties(DynamicPropertyRegistry properties) {
    properties.add("larder.orchestrator.registry.target", () -> registry.target());
    properties.add("larder.orchestrator.home", () -> home.toString());
    properties.add("larder.orchestrator.redis.uri", () -> REDIS);
    jobSchema = TestSchemas.name("orch_it");
    String schema = jobSchema;
    properties.add("LARDER_ORCHESTRATOR_SCHEMA", () -> schema);
  }

  /** Drops the class's job-store schema when its context closes, after the jobs were stopped. */
  @TestConfiguration(proxyBeanMethods = false)
  static class JobStoreSchema implements DisposableBean {
    private final String schema = jobSchema;

    @Override
    public void destroy() {
      TestSchemas.drop(schema);
    }
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }

  @BeforeEach
  void openChannel() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  protected JobServiceGrpc.JobServiceBlockingStub jobs() {
    return JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  protected JobExtServiceGrpc.JobExtServiceBlockingStub jobDetails() {
    return JobExtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  protected Job job(String id) {
    return jobs().getJob(GetJobRequest.newBuilder().setJobId(id).build()).getJob();
  }

  protected JobDetails details(String id) {
    return jobDetails().getJobDetails(GetJobDetailsRequest.newBuilder().setJobId(id).build());
  }

  /** Waits until the job has ended; fails with its details and log if it takes too long. */
  protected JobDetails awaitEnd(String id, Duration timeout) {
    await(
        () -> {
          JobStatus status = job(id).getStatus();
          return status == JobStatus.JOB_STATUS_DONE || status == JobStatus.JOB_STATUS_ERROR;
        },
        timeout,
        () -> "job " + id + " to end; details: " + details(id) + "\nlog:\n" + log(id));
    return details(id);
  }

  protected String log(String id) {
    Path log = home.resolve("jobs").resolve(id).resolve("job.log");
    try {
      String text = Files.exists(log) ? Files.readString(log) : "(no log)";
      return text.length() <= 8000 ? text : text.substring(text.length() - 8000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void await(Supplier<Boolean> condition, Duration timeout, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.get()) {
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    assertThat(condition.get()).as("waited %s for %s", timeout, what.get()).isTrue();
  }
}
