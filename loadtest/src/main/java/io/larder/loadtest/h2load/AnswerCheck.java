package io.larder.loadtest.h2load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One call made the ordinary way before the run: the answer's size and how much of it is PRESENT.
 */
final class AnswerCheck {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] PRESENT = "\"PRESENT\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * @param bytes the answer's body as h2load counts it (DATA frame payload)
   * @param present values answered PRESENT
   */
  record Expected(long bytes, long present) {}

  private AnswerCheck() {}

  static Expected call(
      H2loadApi api, String grpcTarget, String httpBase, GetOnlineFeaturesRequestV2 request)
      throws IOException, InterruptedException {
    return api == H2loadApi.grpc
        ? grpc(grpcTarget, request)
        : http(api, grpcTarget, httpBase, request);
  }

  private static Expected grpc(String target, GetOnlineFeaturesRequestV2 request)
      throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    try {
      GetOnlineFeaturesResponse response =
          ServingServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .getOnlineFeaturesV2(request);
      long present =
          response.getFieldValuesList().stream()
              .flatMap(row -> row.getStatusesMap().values().stream())
              .filter(status -> status == FieldStatus.PRESENT)
              .count();
      // The 5-byte gRPC frame header travels in the DATA frames too.
      return new Expected(5L + response.getSerializedSize(), present);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Expected http(
      H2loadApi api, String grpcTarget, String httpBase, GetOnlineFeaturesRequestV2 request)
      throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    HttpRequest.Builder call =
        HttpRequest.newBuilder(URI.create(api.url(grpcTarget, httpBase)))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(api.body(request)));
    for (String header : api.headers()) {
      int colon = header.indexOf(':');
      call.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    HttpResponse<byte[]> response =
        client.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "the checked call answered HTTP "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return new Expected(response.body().length, occurrences(response.body(), PRESENT));
  }

  static long occurrences(byte[] text, byte[] pattern) {
    long count = 0;
    outer:
    for (int i = 0; i + pattern.length <= text.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (text[i + j] != pattern[j]) {
          continue outer;
        }
      }
      count++;
    }
    return count;
  }
}
