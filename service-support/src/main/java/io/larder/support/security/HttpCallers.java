package io.larder.support.security;

import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** The HTTP half of {@link GrpcAuthentication#current()}: the caller of a request. */
public final class HttpCallers {

  /** Null when authentication is off. */
  private final TokenVerifier verifier;

  public HttpCallers(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  /** The request's caller: from its verified token, ANYONE with authentication off. */
  public Mono<Caller> of(ServerRequest request) {
    if (verifier == null) {
      return Mono.just(Caller.ANYONE);
    }
    return request
        .principal()
        .map(
            principal ->
                principal instanceof JwtAuthenticationToken token
                    ? verifier.caller(token.getToken())
                    : Caller.NOBODY)
        .defaultIfEmpty(Caller.NOBODY);
  }
}
