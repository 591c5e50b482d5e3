package io.larder.registry;

/** A request the registry refuses; {@link Reason} decides the gRPC status and HTTP code. */
public final class RegistryException extends RuntimeException {

  /** Why the request was refused, in gRPC's vocabulary. */
  public enum Reason {
    INVALID_ARGUMENT,
    NOT_FOUND,
    ALREADY_EXISTS,
    FAILED_PRECONDITION
  }

  private final Reason reason;

  private RegistryException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static RegistryException invalid(String format, Object... args) {
    return new RegistryException(Reason.INVALID_ARGUMENT, String.format(format, args));
  }

  public static RegistryException notFound(String format, Object... args) {
    return new RegistryException(Reason.NOT_FOUND, String.format(format, args));
  }

  public static RegistryException alreadyExists(String format, Object... args) {
    return new RegistryException(Reason.ALREADY_EXISTS, String.format(format, args));
  }

  public static RegistryException failedPrecondition(String format, Object... args) {
    return new RegistryException(Reason.FAILED_PRECONDITION, String.format(format, args));
  }
}
