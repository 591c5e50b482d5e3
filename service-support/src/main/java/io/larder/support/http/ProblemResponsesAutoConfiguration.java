package io.larder.support.http;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Requests no route answers (an unknown path, a method the path does not take, an unsupported media
 * type) get the same problem body as every other refusal, with a message, instead of Spring Boot's
 * generic error JSON.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ProblemResponsesAutoConfiguration {

  /** Before Spring Boot's error handler (order -1). */
  @Bean
  @Order(-2)
  WebExceptionHandler unroutedRequestProblems() {
    return (exchange, error) -> {
      if (!(error instanceof ResponseStatusException refused)
          || exchange.getResponse().isCommitted()) {
        return Mono.error(error);
      }
      HttpStatusCode status = refused.getStatusCode();
      var request = exchange.getRequest();
      String detail =
          switch (status.value()) {
            case 404 -> "no endpoint " + request.getMethod() + " " + request.getPath().value();
            case 405 -> request.getMethod() + " is not allowed on " + request.getPath().value();
            default -> refused.getReason() != null ? refused.getReason() : refused.getMessage();
          };
      HttpStatus known = HttpStatus.resolve(status.value());
      return ProblemBodies.write(
          exchange.getResponse(),
          status,
          known != null ? known.getReasonPhrase() : "Error",
          code(status.value()),
          detail);
    };
  }

  /** The gRPC code a client of both APIs would see for the same refusal. */
  private static String code(int status) {
    return switch (status) {
      case 400, 405, 406, 411, 413, 414, 415 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ALREADY_EXISTS";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }
}
