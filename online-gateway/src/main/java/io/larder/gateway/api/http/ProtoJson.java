package io.larder.gateway.api.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.larder.gateway.GatewayException;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * Bodies in the protobuf JSON mapping (the protos are the HTTP schema too). Answers skip the codec
 * lookup: the printer writes into one StringBuilder, which is encoded once into the response's
 * (pooled) buffer, only when the response asks for it.
 */
final class ProtoJson {

  // Both are immutable and thread-safe: built once, shared by every request.
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  // Compact: smaller answers, and an NDJSON line must not contain a newline.
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private ProtoJson() {}

  /**
   * The body as a request (read once, as bytes, bounded by spring.http.codecs .max-in-memory-size:
   * a larger body fails with DataBufferLimitException, i.e. 413). Malformed JSON, unknown fields
   * and wrong types are the caller's mistake: INVALID_ARGUMENT, i.e. 400.
   */
  static Mono<GetOnlineFeaturesRequestV2> onlineFeaturesRequest(ServerRequest request) {
    return request
        .bodyToMono(byte[].class)
        .switchIfEmpty(Mono.error(() -> GatewayException.invalid("request body: is required")))
        .map(ProtoJson::parseOnlineFeaturesRequest);
  }

  /** The usual request straight from the bytes; anything else through JsonFormat. */
  static GetOnlineFeaturesRequestV2 parseOnlineFeaturesRequest(byte[] body) {
    GetOnlineFeaturesRequestV2 common = RequestJson.parseCommon(body);
    return common != null
        ? common
        : parseOnlineFeaturesRequest(new String(body, StandardCharsets.UTF_8));
  }

  static GetOnlineFeaturesRequestV2 parseOnlineFeaturesRequest(String json) {
    GetOnlineFeaturesRequestV2.Builder request = GetOnlineFeaturesRequestV2.newBuilder();
    try {
      PARSER.merge(json, request);
    } catch (InvalidProtocolBufferException malformed) {
      // GatewayErrors answers it: 400 naming what is wrong.
      throw Exceptions.propagate(malformed);
    }
    return request.build();
  }

  /** One JSON document, with its Content-Length. */
  static BodyInserter<MessageOrBuilder, ReactiveHttpOutputMessage> json(
      MessageOrBuilder message, int sizeHint) {
    return (response, context) ->
        response.writeWith(
            Mono.fromCallable(
                () -> {
                  DataBuffer body = encode(response.bufferFactory(), message, sizeHint);
                  response.getHeaders().setContentLength(body.readableByteCount());
                  return body;
                }));
  }

  /**
   * A chunk's rows as StreamedFeatureRow lines through the generic printer, for the answers the
   * direct encoder leaves to it.
   */
  static void appendLines(OnlineAnswer chunk, JsonBytes lines) {
    StringBuilder json = new StringBuilder();
    try {
      for (int row = 0; row < chunk.rowCount(); row++) {
        PRINTER.appendTo(
            StreamedFeatureRow.newBuilder()
                .setRowIndex(chunk.requestRow(row))
                .setRow(chunk.row(row))
                .build(),
            json);
        json.append('\n');
      }
    } catch (IOException e) {
      throw new IllegalStateException("response row not printable as JSON", e);
    }
    lines.write(json.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static DataBuffer encode(
      DataBufferFactory buffers, MessageOrBuilder message, int sizeHint) throws IOException {
    StringBuilder json = new StringBuilder(sizeHint);
    PRINTER.appendTo(message, json);
    // Mostly ASCII; the buffer grows for anything wider.
    DataBuffer buffer = buffers.allocateBuffer(json.length());
    try {
      return buffer.write(json, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      DataBufferUtils.release(buffer);
      throw e;
    }
  }
}
