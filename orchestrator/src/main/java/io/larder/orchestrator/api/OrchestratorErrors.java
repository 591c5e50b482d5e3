package io.larder.orchestrator.api;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.larder.orchestrator.OrchestratorException;
import io.larder.support.grpc.StatusMessages;
import io.larder.support.http.ProtoJson;
import io.larder.support.security.AuthException;
import io.larder.support.store.StoreFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** The orchestrator's one place that turns failures into gRPC statuses and HTTP answers. */
public final class OrchestratorErrors {

  private static final Logger log = LoggerFactory.getLogger(OrchestratorErrors.class);
  private static final String STORE_DOWN =
      "the job store (PostgreSQL) is unavailable; running jobs keep running, try again shortly";

  private OrchestratorErrors() {}

  /** For reactor-grpc's {@code onErrorMap}. */
  public static Throwable toGrpc(Throwable error) {
    if (error instanceof StatusRuntimeException || error instanceof StatusException) {
      return error;
    }
    if (error instanceof AuthException refused) {
      return refused.grpcStatus().asRuntimeException();
    }
    if (error instanceof OrchestratorException refused) {
      return grpcCode(refused.reason())
          .withDescription(StatusMessages.limit(refused.getMessage()))
          .asRuntimeException();
    }
    if (StoreFailures.isUnreachable(error)) {
      log.warn("job store unavailable: {}", error.toString());
      return Status.UNAVAILABLE.withDescription(STORE_DOWN).asRuntimeException();
    }
    String rejected = rejectedValue(error);
    if (rejected != null) {
      return Status.INVALID_ARGUMENT.withDescription(rejected).asRuntimeException();
    }
    log.error("orchestrator request failed", error);
    return Status.INTERNAL
        .withDescription("internal error in the orchestrator; see its log")
        .asRuntimeException();
  }

  /** An HTTP error answer: its status, the gRPC code name and the message. */
  public record HttpError(HttpStatus status, String code, String detail) {}

  public static HttpError toHttp(Throwable error) {
    if (error instanceof AuthException refused) {
      return new HttpError(refused.httpStatus(), refused.kind().name(), refused.getMessage());
    }
    if (error instanceof OrchestratorException refused) {
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
          code == HttpStatus.NOT_FOUND ? "NOT_FOUND" : "INVALID_ARGUMENT",
          status.getReason() == null ? status.getMessage() : status.getReason());
    }
    if (StoreFailures.isUnreachable(error)) {
      log.warn("job store unavailable: {}", error.toString());
      return new HttpError(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", STORE_DOWN);
    }
    String rejected = rejectedValue(error);
    if (rejected != null) {
      return new HttpError(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", rejected);
    }
    if (error instanceof StatusRuntimeException status
        && status.getStatus().getCode() != Status.Code.INTERNAL
        && status.getStatus().getCode() != Status.Code.UNKNOWN) {
      // A registry answer passed through, as the gRPC API passes it.
      return new HttpError(
          httpStatus(status.getStatus().getCode()),
          status.getStatus().getCode().name(),
          String.valueOf(status.getStatus().getDescription()));
    }
    log.error("orchestrator request failed", error);
    return new HttpError(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error in the orchestrator; see its log");
  }

  private static String rejectedValue(Throwable error) {
    String state = StoreFailures.rejectedValueState(error);
    return state == null
        ? null
        : "the request holds a value the job store cannot look up (SQLSTATE "
            + state
            + "): names and ids must be valid text without NUL characters";
  }

  private static Status grpcCode(OrchestratorException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case UNAVAILABLE -> Status.UNAVAILABLE;
    };
  }

  private static HttpStatus httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> HttpStatus.CONFLICT;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
      default -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  private static HttpStatus httpStatus(OrchestratorException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case FAILED_PRECONDITION -> HttpStatus.CONFLICT;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
    };
  }
}
