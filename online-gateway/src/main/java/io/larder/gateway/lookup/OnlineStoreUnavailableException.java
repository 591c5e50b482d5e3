package io.larder.gateway.lookup;

/** The online store cannot answer now (down, timing out, circuit open, overloaded). */
public class OnlineStoreUnavailableException extends RuntimeException {

  public OnlineStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
