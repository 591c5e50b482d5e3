package io.larder.support.http;

import io.larder.support.grpc.StatusMessages;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * RFC 9457 problem bodies written straight to a response, for the places outside the routes
 * (security, unrouted requests) where no ServerResponse is built.
 */
public final class ProblemBodies {

  private ProblemBodies() {}

  public static Mono<Void> write(
      ServerHttpResponse response,
      HttpStatusCode status,
      String title,
      String code,
      String detail) {
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    String body =
        "{\"type\":\"about:blank\",\"title\":"
            + quote(title)
            + ",\"status\":"
            + status.value()
            + ",\"code\":"
            + quote(code)
            + ",\"detail\":"
            + quote(StatusMessages.limit(detail))
            + "}";
    DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
    return response.writeWith(Mono.just(buffer));
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
