package io.larder.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.larder.gateway.support.FakeRegistry;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.BoolList;
import io.larder.proto.types.ValueProto.Int64List;
import io.larder.proto.types.ValueProto.StringList;
import io.larder.proto.types.ValueProto.Value;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Random and malformed lookups against a running gateway over gRPC and HTTP: every one gets an
 * answer or a client error with a message (INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED; HTTP
 * 4xx), never INTERNAL, UNKNOWN or a 5xx, and the gateway keeps answering.
 */
class BadInputPropertiesIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final String PROJECT = "props";
  private static final Set<Status.Code> CLIENT_ERRORS =
      Set.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.RESOURCE_EXHAUSTED);

  private static final MethodDescriptor<byte[], byte[]> RAW_LOOKUP =
      ServingServiceGrpc.getGetOnlineFeaturesV2Method().toBuilder(BYTES.INSTANCE, BYTES.INSTANCE)
          .build();

  private static FakeRegistry registry;
  private static ConfigurableApplicationContext gateway;
  private static ManagedChannel channel;
  private static HttpClient http;
  private static String httpBase;

  @BeforeContainer
  static void start() throws InterruptedException {
    registry = FakeRegistry.started();
    registry.setTables(PROJECT, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    gateway =
        new SpringApplicationBuilder(GatewayApplication.class)
            .run(
                "--larder.grpc.port=0",
                "--larder.grpc.host=127.0.0.1",
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--larder.registry.target=" + registry.target());
    channel =
        NettyChannelBuilder.forAddress(
                "127.0.0.1", gateway.getBean(GrpcServerLifecycle.class).port())
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    httpBase =
        "http://127.0.0.1:"
            + ((WebServerApplicationContext) gateway).getWebServer().getPort()
            + "/api/v1/features/online";
  }

  @AfterContainer
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
    if (registry != null) {
      registry.stop();
    }
  }

  @Property(tries = 300)
  void anyWellFormedRequestGetsAnAnswerOrAClientError(
      @ForAll("requests") GetOnlineFeaturesRequestV2 request) throws Exception {
    Status status = grpc(request.toByteArray());
    assertThat(status.getCode()).as("%s", status).isIn(CLIENT_ERRORS);
    if (!status.isOk()) {
      assertThat(status.getDescription()).isNotBlank();
    }
    HttpResponse<String> answer = post(JsonFormat.printer().print(request));
    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 400, 404, 413, 429);
    if (answer.statusCode() != 200) {
      assertThat(answer.body())
          .as("HTTP %d %s", answer.statusCode(), answer.headers().map())
          .contains("\"detail\"");
    }
  }

  @Property(tries = 200)
  void anyBytesGetAnAnswerOrInvalidArgument(@ForAll byte[] bytes) throws Exception {
    Status status = grpc(bytes);
    assertThat(status.getCode()).as("%s", status).isIn(CLIENT_ERRORS);
    HttpResponse<String> answer =
        post(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 499);
  }

  @Example
  void tooManyRowsIsRefusedWithAMessage() throws Exception {
    GetOnlineFeaturesRequestV2.Builder request =
        GetOnlineFeaturesRequestV2.newBuilder()
            .setProject(PROJECT)
            .addFeatures(ref("driver_stats", "trips"));
    EntityRow row =
        EntityRow.newBuilder()
            .putFields("driver_id", Value.newBuilder().setInt64Val(1).build())
            .build();
    for (int i = 0; i < 100_000; i++) {
      request.addEntityRows(row);
    }
    Status status = grpc(request.build().toByteArray());
    assertThat(status.getCode()).isIn(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("10000");
  }

  @Provide
  Arbitrary<GetOnlineFeaturesRequestV2> requests() {
    Arbitrary<String> project =
        Arbitraries.oneOf(
            Arbitraries.just(PROJECT),
            Arbitraries.just(""),
            Arbitraries.strings().ofMaxLength(40),
            Arbitraries.strings().withCharRange('a', 'z').ofLength(5000),
            Arbitraries.strings().withCharRange('a', 'z').ofLength(100_000));
    Arbitrary<FeatureReferenceV2> feature =
        Arbitraries.oneOf(
            Arbitraries.of(
                ref("driver_stats", "trips"),
                ref("driver_stats", "rating"),
                ref("customer_profile", "tier"),
                ref("driver_stats", "nope"),
                ref("nope", "trips"),
                ref("", ""),
                ref("a:b", "c")),
            Combinators.combine(
                    Arbitraries.strings().ofMaxLength(30), Arbitraries.strings().ofMaxLength(30))
                .as(BadInputPropertiesIT::ref));
    Arbitrary<EntityRow> row =
        Arbitraries.maps(
                Arbitraries.oneOf(
                    Arbitraries.of("driver_id", "customer_id", ""),
                    Arbitraries.strings().ofMaxLength(20)),
                values())
            .ofMaxSize(4)
            .map(fields -> EntityRow.newBuilder().putAllFields(fields).build());
    return Combinators.combine(
            project, feature.list().ofMaxSize(6), row.list().ofMaxSize(20), Arbitraries.integers())
        .as(
            (name, features, rows, seconds) ->
                GetOnlineFeaturesRequestV2.newBuilder()
                    .setProject(name)
                    .addAllFeatures(features)
                    .addAllEntityRows(
                        rows.stream()
                            .map(
                                r ->
                                    r.toBuilder()
                                        .setTimestamp(
                                            com.google.protobuf.Timestamp.newBuilder()
                                                .setSeconds(seconds)
                                                .build())
                                        .build())
                            .toList())
                    .build());
  }

  private static Arbitrary<Value> values() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(v -> Value.newBuilder().setInt64Val(v).build()),
        Arbitraries.integers().map(v -> Value.newBuilder().setInt32Val(v).build()),
        Arbitraries.strings().ofMaxLength(100).map(v -> Value.newBuilder().setStringVal(v).build()),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofLength(100_000)
            .map(v -> Value.newBuilder().setStringVal(v).build()),
        Arbitraries.doubles().map(v -> Value.newBuilder().setDoubleVal(v).build()),
        Arbitraries.of(true, false).map(v -> Value.newBuilder().setBoolVal(v).build()),
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMaxSize(50)
            .map(v -> Value.newBuilder().setBytesVal(ByteString.copyFrom(v)).build()),
        Arbitraries.just(Value.getDefaultInstance()),
        Arbitraries.just(
            Value.newBuilder().setInt64ListVal(Int64List.newBuilder().addVal(1)).build()),
        Arbitraries.just(
            Value.newBuilder().setStringListVal(StringList.newBuilder().addVal("x")).build()),
        Arbitraries.just(
            Value.newBuilder().setBoolListVal(BoolList.newBuilder().addVal(true)).build()));
  }

  private static FeatureReferenceV2 ref(String table, String name) {
    return FeatureReferenceV2.newBuilder().setFeatureTable(table).setName(name).build();
  }

  private static Status grpc(byte[] request) {
    try {
      ClientCalls.blockingUnaryCall(
          channel,
          RAW_LOOKUP,
          CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
          request);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(httpBase))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Request and answer bytes as they are. */
  private enum BYTES implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
