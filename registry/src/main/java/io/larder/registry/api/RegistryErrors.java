package io.larder.registry.api;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.larder.registry.RegistryException;
import io.larder.support.grpc.StatusMessages;
import io.larder.support.http.ProtoJson;
import io.larder.support.security.AuthException;
import io.larder.support.store.StoreFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** The registry's one place that turns failures into gRPC statuses and HTTP answers. */
public final class RegistryErrors {

  private static final Logger log = LoggerFactory.getLogger(RegistryErrors.class);

  static final String STORE_DOWN =
      "the registry's store (PostgreSQL) is unavailable; try again shortly";

  private RegistryErrors() {}

  /** For reactor-grpc's {@code onErrorMap}. */
  public static Throwable toGrpc(Throwable error) {
    if (error instanceof StatusRuntimeException || error instanceof StatusException) {
      return error;
    }
    if (error instanceof AuthException refused) {
      return refused.grpcStatus().asRuntimeException();
    }
    if (error instanceof RegistryException refused) {
      return grpcCode(refused.reason())
          .withDescription(StatusMessages.limit(refused.getMessage()))
          .asRuntimeException();
    }
    if (StoreFailures.isUnreachable(error)) {
      log.warn("registry store unavailable: {}", error.toString());
      return Status.UNAVAILABLE.withDescription(STORE_DOWN).asRuntimeException();
    }
    String rejected = rejectedValue(error);
    if (rejected != null) {
      return Status.INVALID_ARGUMENT.withDescription(rejected).asRuntimeException();
    }
    log.error("registry request failed", error);
    return Status.INTERNAL
        .withDescription("internal error in the registry; see its log")
        .asRuntimeException();
  }

  /** An HTTP error answer: its status and the message for the problem body. */
  public record HttpError(HttpStatus status, String code, String detail) {}

  public static HttpError toHttp(Throwable error) {
    if (error instanceof AuthException refused) {
      return new HttpError(refused.httpStatus(), refused.kind().name(), refused.getMessage());
    }
    if (error instanceof RegistryException refused) {
      return new HttpError(
          httpStatus(refused.reason()),
          refused.reason().name(),
          StatusMessages.limit(refused.getMessage()));
    }
    if (error instanceof ProtoJson.InvalidBodyException invalid) {
      return new HttpError(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", invalid.getMessage());
    }
    if (error instanceof DataBufferLimitException tooLarge) {
      return new HttpError(
          HttpStatus.PAYLOAD_TOO_LARGE, "RESOURCE_EXHAUSTED", tooLarge.getMessage());
    }
    if (error instanceof ResponseStatusException status) {
      HttpStatus code = HttpStatus.resolve(status.getStatusCode().value());
      return new HttpError(
          code == null ? HttpStatus.BAD_REQUEST : code,
          "INVALID_ARGUMENT",
          status.getReason() == null ? status.getMessage() : status.getReason());
    }
    if (StoreFailures.isUnreachable(error)) {
      log.warn("registry store unavailable: {}", error.toString());
      return new HttpError(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", STORE_DOWN);
    }
    String rejected = rejectedValue(error);
    if (rejected != null) {
      return new HttpError(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", rejected);
    }
    log.error("registry request failed", error);
    return new HttpError(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error in the registry; see its log");
  }

  /**
   * The message for a value PostgreSQL refused as data (SQLSTATE class 22: a NUL character or an
   * unpaired surrogate in a name, say), or null for any other failure.
   */
  static String rejectedValue(Throwable error) {
    String state = StoreFailures.rejectedValueState(error);
    return state == null
        ? null
        : "the request holds a value the registry cannot store or look up (SQLSTATE "
            + state
            + "): names and labels must be valid text without NUL characters";
  }

  private static Status grpcCode(RegistryException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
    };
  }

  private static HttpStatus httpStatus(RegistryException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case ALREADY_EXISTS, FAILED_PRECONDITION -> HttpStatus.CONFLICT;
    };
  }
}
