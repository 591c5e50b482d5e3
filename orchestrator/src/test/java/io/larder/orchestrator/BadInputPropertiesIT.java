package io.larder.orchestrator;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.orchestrator.support.Registry;
import io.larder.orchestrator.support.Tables;
import io.larder.orchestrator.support.TestSchemas;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.larder.support.testing.ClientOutcomes;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Random and malformed job requests against a running orchestrator over gRPC and HTTP: projects,
 * tables and job ids of any shape and length, timestamps out of range, feature references by the
 * thousand, entity sources and output locations that do not exist, arbitrary JSON. Each is accepted
 * or refused with a client error and a message, never INTERNAL/UNKNOWN or a 5xx. The orchestrator's
 * Spark jobs are pointed at a directory without them, so an accepted request starts nothing heavy.
 */
class BadInputPropertiesIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String PROJECT = "badinput_" + UUID.randomUUID().toString().substring(0, 8);
  private static Registry registry;
  private static Path home;
  private static String schema;
  private static ConfigurableApplicationContext orchestrator;
  private static ManagedChannel channel;
  private static HttpClient http;
  private static String httpBase;

  @BeforeContainer
  static void start() throws Exception {
    registry = Registry.start(Path.of("target", "it-logs", UUID.randomUUID().toString()));
    registry.applyEntity(PROJECT, "driver_id", ValueType.Enum.INT64);
    home = Files.createTempDirectory("larder-orchestrator-badinput");
    registry.applyTable(PROJECT, Tables.drivers("stats", home.resolve("stats.parquet")).build());
    schema = TestSchemas.name("orch_badinput");
    orchestrator =
        new SpringApplicationBuilder(OrchestratorApplication.class)
            .run(
                "--larder.grpc.port=0",
                "--larder.grpc.host=127.0.0.1",
                "--server.port=0",
                "--larder.orchestrator.registry.target=" + registry.target(),
                "--larder.orchestrator.home=" + home,
                // No Spark jobs there: an accepted request's job fails at launch, cheaply.
                "--larder.orchestrator.jobs.home=" + home.resolve("no-jobs-built-here"),
                "--larder.orchestrator.stop-jobs-on-shutdown=true",
                "--LARDER_ORCHESTRATOR_SCHEMA=" + schema,
                "--LARDER_LOG_FORMAT=");
    channel =
        NettyChannelBuilder.forAddress(
                "127.0.0.1", orchestrator.getBean(GrpcServerLifecycle.class).port())
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    httpBase =
        "http://127.0.0.1:" + ((WebServerApplicationContext) orchestrator).getWebServer().getPort();
  }

  @AfterContainer
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (orchestrator != null) {
      orchestrator.close();
    }
    if (schema != null) {
      TestSchemas.drop(schema);
    }
    if (registry != null) {
      registry.close();
    }
  }

  private static JobServiceGrpc.JobServiceBlockingStub jobs() {
    return JobServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Property(tries = 100)
  void anyBatchIngestionRequestIsAcceptedOrRefusedWithAClientError(
      @ForAll("projects") String project,
      @ForAll("tableNames") String table,
      @ForAll("timestamps") Timestamp start,
      @ForAll("timestamps") Timestamp end,
      @ForAll("dateTexts") String startText)
      throws Exception {
    ClientOutcomes.assertGrpc(
        () ->
            jobs()
                .startOfflineToOnlineIngestionJob(
                    StartOfflineToOnlineIngestionJobRequest.newBuilder()
                        .setProject(project)
                        .setTableName(table)
                        .setStartDate(start)
                        .setEndDate(end)
                        .build()));
    httpOutcome(
        "POST",
        "/api/v1/jobs/batch-ingestion",
        "{\"project\":%s,\"tableName\":%s,\"startDate\":%s,\"endDate\":\"2021-01-02T00:00:00Z\"}"
            .formatted(json(project), json(table), json(startText)));
  }

  @Property(tries = 100)
  void anyHistoricalRetrievalRequestIsAcceptedOrRefusedWithAClientError(
      @ForAll("featureRefs") List<String> refs,
      @ForAll("urls") String entities,
      @ForAll("projects") String project,
      @ForAll("urls") String output,
      @ForAll("formats") String format)
      throws Exception {
    GetHistoricalFeaturesRequest request =
        GetHistoricalFeaturesRequest.newBuilder()
            .addAllFeatureRefs(refs)
            .setEntitySource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn("event_timestamp")
                    .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(entities)))
            .setProject(project)
            .setOutputLocation(output)
            .setOutputFormat(format)
            .build();
    ClientOutcomes.assertGrpc(() -> jobs().getHistoricalFeatures(request));
    httpOutcome("POST", "/api/v1/jobs/historical-retrieval", JsonFormat.printer().print(request));
  }

  @Property(tries = 60)
  void anyStreamIngestionRequestIsAcceptedOrRefusedWithAClientError(
      @ForAll("projects") String project, @ForAll("tableNames") String table) throws Exception {
    StartStreamToOnlineIngestionJobRequest request =
        StartStreamToOnlineIngestionJobRequest.newBuilder()
            .setProject(project)
            .setTableName(table)
            .build();
    ClientOutcomes.assertGrpc(() -> jobs().startStreamToOnlineIngestionJob(request));
    httpOutcome("POST", "/api/v1/jobs/stream-ingestion", JsonFormat.printer().print(request));
  }

  @Property(tries = 100)
  void anyJobIdIsAnsweredWithAClientError(
      @ForAll("jobIds") String id, @ForAll("tableNames") String table) throws Exception {
    ClientOutcomes.assertGrpc(() -> jobs().getJob(GetJobRequest.newBuilder().setJobId(id).build()));
    ClientOutcomes.assertGrpc(
        () -> jobs().cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()));
    ClientOutcomes.assertGrpc(
        () ->
            jobs()
                .listJobs(
                    ListJobsRequest.newBuilder()
                        .setTableName(table)
                        .setIncludeTerminated(true)
                        .build()));
    String path = "/api/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    if (path.length() < 8_000) {
      httpOutcome("GET", path, null);
      httpOutcome("GET", path + "/details", null);
      httpOutcome("GET", path + "/log", null);
      httpOutcome("POST", path + "/cancel", "");
    }
    httpOutcome(
        "GET",
        "/api/v1/jobs?includeTerminated="
            + URLEncoder.encode(id.substring(0, Math.min(id.length(), 50)), StandardCharsets.UTF_8)
            + "&limit="
            + URLEncoder.encode(
                table.substring(0, Math.min(table.length(), 20)), StandardCharsets.UTF_8),
        null);
  }

  @Property(tries = 100)
  void anyBodyIsAnsweredWithAClientError(@ForAll("bodies") String body) throws Exception {
    for (String path :
        List.of(
            "/api/v1/jobs/batch-ingestion",
            "/api/v1/jobs/historical-retrieval",
            "/api/v1/jobs/stream-ingestion")) {
      httpOutcome("POST", path, body);
    }
  }

  @Provide
  Arbitrary<String> projects() {
    return Arbitraries.oneOf(Arbitraries.just(PROJECT), names());
  }

  @Provide
  Arbitrary<String> tableNames() {
    return Arbitraries.oneOf(Arbitraries.just("stats"), names());
  }

  @Provide
  Arbitrary<String> jobIds() {
    return Arbitraries.oneOf(
        names(),
        Arbitraries.strings().withCharRange('a', 'f').ofLength(32),
        Arbitraries.of("../../etc/passwd", "%00", "job-" + UUID.randomUUID(), "\n", "a/b"));
  }

  private static Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withCharRange('a', 'z').ofLength(100_000),
        Arbitraries.of("", "default", "stats", "a b", "-x", "Stats", "stats:trips"));
  }

  @Provide
  Arbitrary<Timestamp> timestamps() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.longs(), Arbitraries.integers())
            .as((s, n) -> Timestamp.newBuilder().setSeconds(s).setNanos(n).build()),
        Combinators.combine(
                Arbitraries.longs().between(0, 4_102_444_800L),
                Arbitraries.integers().between(0, 999_999_999))
            .as((s, n) -> Timestamp.newBuilder().setSeconds(s).setNanos(n).build()),
        Arbitraries.just(Timestamp.getDefaultInstance()));
  }

  @Provide
  Arbitrary<String> dateTexts() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "2021-01-01T00:00:00Z",
            "2021-01-03T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "10000-01-01T00:00:00Z",
            "2021-13-45T99:99:99Z",
            "",
            "yesterday"),
        Arbitraries.strings().ofMaxLength(30));
  }

  @Provide
  Arbitrary<List<String>> featureRefs() {
    Arbitrary<String> ref =
        Arbitraries.oneOf(
            Arbitraries.of("stats:trips", "stats:rating", "stats:nope", "nope:trips", "trips", ""),
            names());
    return Arbitraries.oneOf(
        ref.list().ofMaxSize(20),
        Arbitraries.just(Collections.nCopies(100_000, "stats:trips")),
        Arbitraries.just(List.of()));
  }

  @Provide
  Arbitrary<String> urls() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            "file:///nonexistent/entities.parquet",
            "/etc/passwd",
            "s3://bucket/key",
            "gs://",
            "file:",
            "hdfs://namenode:8020/x",
            "::::",
            "file:///tmp/../../etc"),
        names());
  }

  @Provide
  Arbitrary<String> formats() {
    return Arbitraries.oneOf(Arbitraries.of("", "parquet", "csv", "avro", "PARQUET"), names());
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.of(
            "",
            "{}",
            "[]",
            "null",
            "{\"project\":",
            "{\"project\":\"x\",\"tableName\":7}",
            "{\"startDate\":\"not a date\"}",
            "{\"featureRefs\":\"stats:trips\"}",
            "{\"featureRefs\":[null]}",
            "{\"entitySource\":{\"type\":\"NOPE\"}}",
            "{\"unknown\":1}"),
        Arbitraries.integers()
            .between(1, 2000)
            .map(depth -> "[".repeat(depth) + "]".repeat(depth)));
  }

  private static String json(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20) {
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  private static void httpOutcome(String method, String path, String body) throws Exception {
    ClientOutcomes.assertHttp(http, httpBase, method, path, body, TIMEOUT);
  }
}
