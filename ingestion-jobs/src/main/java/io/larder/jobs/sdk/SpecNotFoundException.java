package io.larder.jobs.sdk;

/**
 * A feature table, feature or entity that the registry (or the given specs) does not have; the
 * message names it and the project.
 */
public final class SpecNotFoundException extends IllegalArgumentException {

  SpecNotFoundException(String message) {
    super(message);
  }

  SpecNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
