package io.larder.gateway;

/**
 * A request the gateway refuses or gives up on; {@link Reason} decides the gRPC status and HTTP
 * code (in {@link GatewayErrors}).
 */
public final class GatewayException extends RuntimeException {

  /** Why the request was refused, in gRPC's vocabulary. */
  public enum Reason {
    INVALID_ARGUMENT,
    NOT_FOUND,
    /** The request's own deadline passed: says nothing about the store's health. */
    DEADLINE_EXCEEDED
  }

  private final Reason reason;

  public GatewayException(Reason reason, String message) {
    // A refusal is the caller's mistake, not ours: no stack trace to fill on a hot path.
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static GatewayException invalid(String message) {
    return new GatewayException(Reason.INVALID_ARGUMENT, message);
  }

  public static GatewayException notFound(String message) {
    return new GatewayException(Reason.NOT_FOUND, message);
  }

  public static GatewayException deadlineExceeded(String message) {
    return new GatewayException(Reason.DEADLINE_EXCEEDED, message);
  }
}
