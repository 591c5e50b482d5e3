package io.larder.gateway.support;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.larder.ReactorStreamingServingServiceGrpc;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc.ServingServiceBlockingStub;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway's four ways to answer a lookup — gRPC, HTTP/JSON, gRPC stream, NDJSON stream — each
 * turned back into a GetOnlineFeaturesResponse so tests can compare them.
 */
public final class GatewayClients implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(15);
  public static final String ONLINE = "/api/v1/features/online";
  public static final String STREAM = "/api/v1/features/online/stream";

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private final ManagedChannel channel;
  private final WebTestClient http;

  private GatewayClients(ManagedChannel channel, WebTestClient http) {
    this.channel = channel;
    this.http = http;
  }

  public static GatewayClients connect(int grpcPort, int httpPort) {
    return new GatewayClients(
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build(),
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + httpPort)
            .responseTimeout(TIMEOUT)
            .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * 1024 * 1024))
            .build());
  }

  public ManagedChannel channel() {
    return channel;
  }

  public WebTestClient http() {
    return http;
  }

  /** Blocking ServingService stub; a deadline starts now. */
  public ServingServiceBlockingStub serving() {
    return ServingServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ReactorServingServiceGrpc.ReactorServingServiceStub reactiveServing() {
    return ReactorServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ReactorStreamingServingServiceGrpc.ReactorStreamingServingServiceStub streaming() {
    return ReactorStreamingServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Waits until the gateway's spec cache knows {@code project} and its {@code table:feature} (the
   * registry's change feed brings it within moments).
   */
  public void awaitProject(String project, String reference) {
    GetOnlineFeaturesRequestV2 probe =
        GetOnlineFeaturesRequestV2.newBuilder()
            .setProject(project)
            .addFeatures(Specs.ref(reference))
            .build();
    Awaitility.await("gateway knows " + project + "/" + reference)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptionsMatching(
            error -> {
              Status.Code code = Status.fromThrowable(error).getCode();
              // Not in the specs yet, or no specs loaded yet.
              return code == Status.Code.NOT_FOUND || code == Status.Code.UNAVAILABLE;
            })
        .until(() -> grpc(probe) != null);
  }

  public GetOnlineFeaturesResponse grpc(GetOnlineFeaturesRequestV2 request) {
    return serving().getOnlineFeaturesV2(request);
  }

  public GetOnlineFeaturesResponse http(GetOnlineFeaturesRequestV2 request) {
    String body =
        http.post()
            .uri(ONLINE)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(json(request))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    merge(body == null ? "{}" : body, response);
    return response.build();
  }

  /** The streamed rows, in the order they arrived. */
  public List<StreamedFeatureRow> grpcStreamRows(GetOnlineFeaturesRequestV2 request) {
    return streaming().streamOnlineFeatures(request).collectList().block(TIMEOUT);
  }

  /** The NDJSON lines' rows, in the order they arrived. */
  public List<StreamedFeatureRow> ndjsonRows(GetOnlineFeaturesRequestV2 request) {
    String body =
        http.post()
            .uri(STREAM)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(json(request))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    return parseNdjson(body);
  }

  public static List<StreamedFeatureRow> parseNdjson(String body) {
    List<StreamedFeatureRow> rows = new ArrayList<>();
    if (body == null || body.isEmpty()) {
      return rows;
    }
    if (!body.endsWith("\n")) {
      throw new AssertionError("NDJSON body does not end with a newline: " + body);
    }
    for (String line : body.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      StreamedFeatureRow.Builder row = StreamedFeatureRow.newBuilder();
      merge(line, row);
      rows.add(row.build());
    }
    return rows;
  }

  public GetOnlineFeaturesResponse grpcStream(GetOnlineFeaturesRequestV2 request) {
    return assemble(grpcStreamRows(request), request.getEntityRowsCount());
  }

  public GetOnlineFeaturesResponse ndjson(GetOnlineFeaturesRequestV2 request) {
    return assemble(ndjsonRows(request), request.getEntityRowsCount());
  }

  /** The same request through all four APIs, by api name. */
  public Map<String, GetOnlineFeaturesResponse> allFour(GetOnlineFeaturesRequestV2 request) {
    Map<String, GetOnlineFeaturesResponse> answers = new LinkedHashMap<>();
    answers.put("grpc", grpc(request));
    answers.put("http", http(request));
    answers.put("grpc_stream", grpcStream(request));
    answers.put("http_stream", ndjson(request));
    return answers;
  }

  /** Streamed rows back in request order; each index must appear exactly once. */
  public static GetOnlineFeaturesResponse assemble(
      List<StreamedFeatureRow> rows, int expectedRows) {
    List<StreamedFeatureRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(StreamedFeatureRow::getRowIndex));
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).getRowIndex() != i) {
        throw new AssertionError(
            "stream row indices are not 0.." + (expectedRows - 1) + ": " + rows);
      }
      response.addFieldValues(sorted.get(i).getRow());
    }
    if (sorted.size() != expectedRows) {
      throw new AssertionError("expected " + expectedRows + " streamed rows, got " + rows.size());
    }
    return response.build();
  }

  public static String json(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void merge(String json, Message.Builder builder) {
    try {
      PARSER.merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("not the expected JSON: " + json, e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
