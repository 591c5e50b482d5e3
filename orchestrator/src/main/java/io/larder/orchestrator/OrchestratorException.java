package io.larder.orchestrator;

/** A request the orchestrator refuses or cannot serve; {@link Reason} decides the status codes. */
public final class OrchestratorException extends RuntimeException {

  /** Why, in gRPC's vocabulary. */
  public enum Reason {
    INVALID_ARGUMENT,
    NOT_FOUND,
    FAILED_PRECONDITION,
    UNAVAILABLE
  }

  private final Reason reason;

  private OrchestratorException(Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static OrchestratorException invalid(String format, Object... args) {
    return new OrchestratorException(Reason.INVALID_ARGUMENT, String.format(format, args), null);
  }

  public static OrchestratorException notFound(String format, Object... args) {
    return new OrchestratorException(Reason.NOT_FOUND, String.format(format, args), null);
  }

  public static OrchestratorException failedPrecondition(String format, Object... args) {
    return new OrchestratorException(Reason.FAILED_PRECONDITION, String.format(format, args), null);
  }

  public static OrchestratorException unavailable(String message, Throwable cause) {
    return new OrchestratorException(Reason.UNAVAILABLE, message, cause);
  }
}
