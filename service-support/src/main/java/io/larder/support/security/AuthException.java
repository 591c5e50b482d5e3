package io.larder.support.security;

import io.grpc.Status;
import io.larder.support.grpc.StatusMessages;
import org.springframework.http.HttpStatus;

/**
 * A call refused for who made it: no valid token (UNAUTHENTICATED, HTTP 401) or a token without the
 * role the call needs (PERMISSION_DENIED, HTTP 403). Messages never hold a token.
 */
public final class AuthException extends RuntimeException {

  public enum Kind {
    UNAUTHENTICATED,
    PERMISSION_DENIED
  }

  private final Kind kind;

  private AuthException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public static AuthException unauthenticated(String message) {
    return new AuthException(Kind.UNAUTHENTICATED, message);
  }

  public static AuthException permissionDenied(String message) {
    return new AuthException(Kind.PERMISSION_DENIED, message);
  }

  public Kind kind() {
    return kind;
  }

  /** The gRPC status the call ends with. */
  public Status grpcStatus() {
    return (kind == Kind.UNAUTHENTICATED ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED)
        .withDescription(StatusMessages.limit(getMessage()));
  }

  /** 401 or 403. */
  public HttpStatus httpStatus() {
    return kind == Kind.UNAUTHENTICATED ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN;
  }
}
