package io.larder.orchestrator.api.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.larder.orchestrator.OrchestratorException;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Bodies in the protobuf JSON mapping: the protos are the HTTP schema too. */
final class ProtoJson {

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  private ProtoJson() {}

  /** The body as a message of the builder's type; unknown fields are refused. */
  @SuppressWarnings("unchecked")
  static <T extends Message> Mono<T> body(
      ServerRequest request, Supplier<Message.Builder> builder) {
    return request
        .bodyToMono(String.class)
        .switchIfEmpty(Mono.error(OrchestratorException.invalid("request body: is required")))
        .map(
            json -> {
              Message.Builder message = builder.get();
              try {
                PARSER.merge(json, message);
              } catch (InvalidProtocolBufferException e) {
                throw OrchestratorException.invalid("request body: %s", e.getMessage());
              }
              return (T) message.build();
            });
  }

  static Mono<ServerResponse> ok(Message message) {
    return respond(ServerResponse.ok(), message);
  }

  static Mono<ServerResponse> respond(ServerResponse.BodyBuilder status, Message message) {
    try {
      return status.contentType(MediaType.APPLICATION_JSON).bodyValue(PRINTER.print(message));
    } catch (InvalidProtocolBufferException e) {
      return Mono.error(new IllegalStateException("response not printable as JSON", e));
    }
  }
}
