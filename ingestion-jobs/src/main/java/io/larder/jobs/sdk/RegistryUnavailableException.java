package io.larder.jobs.sdk;

/** The registry could not be reached or did not answer in time; the message names its target. */
public final class RegistryUnavailableException extends RuntimeException {

  RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
