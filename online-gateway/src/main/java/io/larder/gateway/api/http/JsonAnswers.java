package io.larder.gateway.api.http;

import io.larder.gateway.lookup.OnlineAnswer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Answers as HTTP bodies, written by {@link JsonAnswerEncoder}. A small answer is one buffer with
 * its Content-Length; a large one leaves in buffers of {@value #ROWS_PER_BUFFER} rows, each written
 * as the connection takes the previous one, so its JSON is never whole in memory.
 */
final class JsonAnswers {

  static final int ROWS_PER_BUFFER = 64;

  /** Room for one feature in the JSON answer ("key":{"int64Val":"…"} and its status). */
  private static final int BYTES_PER_FEATURE = 64;

  private JsonAnswers() {}

  /** A GetOnlineFeaturesResponse in the protobuf JSON mapping. */
  static BodyInserter<Object, ReactiveHttpOutputMessage> response(OnlineAnswer answer) {
    return (message, context) -> {
      if (answer.echoCollides()) {
        return ProtoJson.json(answer.toResponse(), sizeHint(answer, answer.rowCount()))
            .insert(message, context);
      }
      DataBufferFactory buffers = message.bufferFactory();
      int rows = answer.rowCount();
      if (rows <= ROWS_PER_BUFFER) {
        DataBuffer body = buffers.wrap(encode(answer, 0, rows).toByteBuffer());
        message.getHeaders().setContentLength(body.readableByteCount());
        return message.writeWith(Mono.just(body));
      }
      JsonAnswerEncoder encoder = JsonAnswerEncoder.forShape(answer);
      int parts = (rows + ROWS_PER_BUFFER - 1) / ROWS_PER_BUFFER;
      Flux<DataBuffer> body =
          Flux.range(0, parts)
              .map(
                  part -> {
                    int from = part * ROWS_PER_BUFFER;
                    int to = Math.min(rows, from + ROWS_PER_BUFFER);
                    JsonBytes json = new JsonBytes(sizeHint(answer, to - from));
                    if (part == 0) {
                      JsonAnswerEncoder.beginResponse(json);
                    }
                    encoder.writeRows(answer, from, to, json);
                    if (to == rows) {
                      JsonAnswerEncoder.endResponse(json);
                    }
                    return buffers.wrap(json.toByteBuffer());
                  });
      return message.writeWith(body);
    };
  }

  /** Rows {@code [from, to)} as a whole response document (an answer without rows is {}). */
  static JsonBytes encode(OnlineAnswer answer, int from, int to) {
    JsonBytes json = new JsonBytes(sizeHint(answer, to - from));
    if (to == from) {
      json.writeAscii("{}");
      return json;
    }
    JsonAnswerEncoder.beginResponse(json);
    JsonAnswerEncoder.forShape(answer).writeRows(answer, from, to, json);
    JsonAnswerEncoder.endResponse(json);
    return json;
  }

  /**
   * One StreamedFeatureRow per line (NDJSON), a buffer per chunk of rows, encoded as the response
   * asks for more; Reactor Netty flushes whenever no further buffer is ready, so rows leave as
   * their chunk completes.
   */
  static BodyInserter<Flux<OnlineAnswer>, ReactiveHttpOutputMessage> ndjson(
      Flux<OnlineAnswer> chunks) {
    return (message, context) -> {
      DataBufferFactory buffers = message.bufferFactory();
      return message.writeWith(
          chunks.map(
              chunk -> {
                JsonBytes lines = new JsonBytes(sizeHint(chunk, chunk.rowCount()));
                if (chunk.echoCollides()) {
                  ProtoJson.appendLines(chunk, lines);
                } else {
                  JsonAnswerEncoder.forShape(chunk).writeStreamedRows(chunk, lines);
                }
                return buffers.wrap(lines.toByteBuffer());
              }));
    };
  }

  /** A buffer that rarely has to grow, without measuring the answer first. */
  private static int sizeHint(OnlineAnswer answer, int rows) {
    return 64 + rows * (answer.slotCount() + 1) * BYTES_PER_FEATURE;
  }
}
