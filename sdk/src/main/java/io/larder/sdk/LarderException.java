package io.larder.sdk;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to a Larder service that failed: which service, at which address, and the status and
 * message it answered (or why it could not be reached).
 */
public final class LarderException extends RuntimeException {

  private final String service;
  private final String target;
  private final Status.Code code;

  public LarderException(String service, String target, Status.Code code, String message) {
    super(message);
    this.service = service;
    this.target = target;
    this.code = code;
  }

  static LarderException of(String service, String target, Throwable error) {
    if (error instanceof LarderException larder) {
      return larder;
    }
    Status status = Status.fromThrowable(error);
    String detail =
        status.getDescription() == null || status.getDescription().isBlank()
            ? status.getCode().name()
            : status.getDescription();
    String message =
        unreachable(status)
            ? "cannot reach the %s at %s (%s: %s)"
                .formatted(service, target, status.getCode(), detail)
            : "%s at %s: %s: %s".formatted(service, target, status.getCode(), detail);
    LarderException exception = new LarderException(service, target, status.getCode(), message);
    if (error instanceof StatusRuntimeException) {
      exception.initCause(error);
    }
    return exception;
  }

  private static boolean unreachable(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE
        || status.getCode() == Status.Code.DEADLINE_EXCEEDED && status.getCause() != null;
  }

  /** Which service answered: registry, job service or online gateway. */
  public String service() {
    return service;
  }

  /** The address the call went to, e.g. {@code localhost:6565}. */
  public String target() {
    return target;
  }

  /** The gRPC status the service answered with (UNAVAILABLE when it could not be reached). */
  public Status.Code code() {
    return code;
  }

  /** The service could not be reached (or did not answer in time). */
  public boolean unreachable() {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }

  /** The request itself was refused: bad input, an unknown name, a state that does not allow it. */
  public boolean badRequest() {
    return switch (code) {
      case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, OUT_OF_RANGE -> true;
      default -> false;
    };
  }
}
