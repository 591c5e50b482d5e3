package io.larder.support.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Locale;

/**
 * The gRPC half of authentication: every call of the services (health and reflection are not
 * intercepted) carries {@code authorization: Bearer <JWT>}; the verified {@link Caller} rides in
 * the call's Context for the services' project checks ({@link #current()}). With authentication off
 * every call is {@link Caller#ANYONE}.
 */
public final class GrpcAuthentication implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<Caller> CALLER = Context.key("larder-caller");
  private static final String BEARER = "bearer ";

  /** Null when authentication is off. */
  private final TokenVerifier verifier;

  private GrpcAuthentication(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  public static GrpcAuthentication off() {
    return new GrpcAuthentication(null);
  }

  public static GrpcAuthentication verifying(TokenVerifier verifier) {
    return new GrpcAuthentication(verifier);
  }

  /**
   * The caller of the gRPC call being served; read it where the service method starts (the Context
   * is the calling thread's). Outside an intercepted call: nobody.
   */
  public static Caller current() {
    Caller caller = CALLER.get();
    return caller == null ? Caller.NOBODY : caller;
  }

  /** The current Context with this caller, for services run outside a gRPC server (tests). */
  public static Context withCaller(Caller caller) {
    return Context.current().withValue(CALLER, caller);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    Caller caller;
    if (verifier == null) {
      caller = Caller.ANYONE;
    } else {
      try {
        caller = verifier.verify(bearerToken(headers.get(AUTHORIZATION)));
      } catch (AuthException refused) {
        call.close(Status.UNAUTHENTICATED.withDescription(refused.getMessage()), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    return Contexts.interceptCall(withCaller(caller), call, headers, next);
  }

  static String bearerToken(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw AuthException.unauthenticated(
          "no token: send the metadata 'authorization: Bearer <JWT>' (larder token mints one for"
              + " development)");
    }
    if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      throw AuthException.unauthenticated("the authorization metadata must be 'Bearer <JWT>'");
    }
    return authorization.substring(BEARER.length()).trim();
  }
}
