package io.larder.support.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP bodies in the protobuf JSON mapping (the protos are the HTTP schema too), and RFC 9457
 * problem answers, for the services' functional routes.
 */
public final class ProtoJson {

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  private ProtoJson() {}

  /**
   * The body as a message of the builder's type; a missing body, malformed JSON or an unknown field
   * fails with {@link InvalidBodyException}.
   */
  @SuppressWarnings("unchecked")
  public static <T extends Message> Mono<T> body(
      ServerRequest request, Supplier<Message.Builder> builder) {
    return request
        .bodyToMono(String.class)
        .switchIfEmpty(Mono.error(new InvalidBodyException("request body: is required")))
        .map(
            json -> {
              Message.Builder message = builder.get();
              try {
                PARSER.merge(json, message);
              } catch (InvalidProtocolBufferException e) {
                throw new InvalidBodyException("request body: " + e.getMessage());
              }
              return (T) message.build();
            });
  }

  public static Mono<ServerResponse> ok(Message message) {
    return respond(ServerResponse.ok(), message);
  }

  public static Mono<ServerResponse> respond(ServerResponse.BodyBuilder status, Message message) {
    try {
      return status.contentType(MediaType.APPLICATION_JSON).bodyValue(PRINTER.print(message));
    } catch (InvalidProtocolBufferException e) {
      return Mono.error(new IllegalStateException("response not printable as JSON", e));
    }
  }

  /** RFC 9457 problem details, with the gRPC code alongside for clients that speak both. */
  public static Mono<ServerResponse> problem(HttpStatus status, String code, String detail) {
    return ServerResponse.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .bodyValue(
            Map.of(
                "type",
                "about:blank",
                "title",
                status.getReasonPhrase(),
                "status",
                status.value(),
                "detail",
                detail,
                "code",
                code));
  }

  /** A request body that is missing or does not parse as the expected message. */
  public static final class InvalidBodyException extends RuntimeException {
    public InvalidBodyException(String message) {
      super(message, null, false, false);
    }
  }
}
