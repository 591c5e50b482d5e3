package io.larder.loadtest.h2load;

import io.larder.loadtest.shape.OnlineRequests;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The gateway's lookup calls as h2load sends them: one body, fixed headers, one URL. */
enum H2loadApi {
  grpc(List.of("content-type: application/grpc", "te: trailers")),
  http_json(List.of("content-type: application/json", "accept: application/json")),
  http_ndjson(List.of("content-type: application/json", "accept: application/x-ndjson"));

  static final String GRPC_PATH = "/feast.serving.ServingService/GetOnlineFeaturesV2";
  static final String JSON_PATH = "/api/v1/features/online";
  static final String NDJSON_PATH = "/api/v1/features/online/stream";

  private final List<String> headers;

  H2loadApi(List<String> headers) {
    this.headers = headers;
  }

  List<String> headers() {
    return headers;
  }

  String url(String grpcTarget, String httpBase) {
    String base = httpBase.endsWith("/") ? httpBase.substring(0, httpBase.length() - 1) : httpBase;
    return switch (this) {
      case grpc -> "http://" + grpcTarget + GRPC_PATH;
      case http_json -> base + JSON_PATH;
      case http_ndjson -> base + NDJSON_PATH;
    };
  }

  /** The request body: a length-prefixed gRPC message, or the protobuf JSON mapping. */
  byte[] body(GetOnlineFeaturesRequestV2 request) {
    if (this == grpc) {
      byte[] message = request.toByteArray();
      // gRPC framing: not compressed (0), then the message length, big-endian.
      return ByteBuffer.allocate(5 + message.length)
          .put((byte) 0)
          .putInt(message.length)
          .put(message)
          .array();
    }
    return OnlineRequests.toJson(request).getBytes(StandardCharsets.UTF_8);
  }
}
