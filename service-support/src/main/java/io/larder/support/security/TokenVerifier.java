package io.larder.support.security;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Turns a bearer token into a {@link Caller}: signature (shared secret or the issuer's JWKS),
 * expiry and not-before with the configured clock skew, issuer and audience when configured, then
 * the roles claim. The same checks for gRPC (blocking decoder; local keys) and HTTP (reactive).
 */
public final class TokenVerifier {

  private final SecurityProperties properties;
  private final JwtDecoder decoder;

  public TokenVerifier(SecurityProperties properties) {
    this.properties = properties;
    this.decoder = decoder(properties);
  }

  /**
   * The caller the token names.
   *
   * @throws AuthException UNAUTHENTICATED saying why the token was refused (never the token)
   */
  public Caller verify(String token) {
    Jwt jwt;
    try {
      jwt = decoder.decode(token);
    } catch (JwtValidationException invalid) {
      throw AuthException.unauthenticated("token rejected: " + describe(invalid.getErrors()));
    } catch (JwtException unreadable) {
      throw AuthException.unauthenticated("token rejected: not a valid signed JWT");
    }
    return caller(jwt);
  }

  /** The caller of an already verified token. */
  public Caller caller(Jwt jwt) {
    return Caller.fromClaim(jwt.getSubject(), jwt.getClaims().get(properties.rolesClaim()));
  }

  public static JwtDecoder decoder(SecurityProperties properties) {
    byte[] secret = properties.sharedSecret();
    NimbusJwtDecoder decoder;
    if (properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()) {
      decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build();
    } else {
      decoder =
          NimbusJwtDecoder.withSecretKey(secretKey(secret))
              .macAlgorithm(MacAlgorithm.HS256)
              .build();
    }
    decoder.setJwtValidator(validator(properties));
    return decoder;
  }

  public static ReactiveJwtDecoder reactiveDecoder(SecurityProperties properties) {
    NimbusReactiveJwtDecoder decoder;
    if (properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()) {
      decoder = NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build();
    } else {
      decoder =
          NimbusReactiveJwtDecoder.withSecretKey(secretKey(properties.sharedSecret()))
              .macAlgorithm(MacAlgorithm.HS256)
              .build();
    }
    decoder.setJwtValidator(validator(properties));
    return decoder;
  }

  static OAuth2TokenValidator<Jwt> validator(SecurityProperties properties) {
    List<OAuth2TokenValidator<Jwt>> checks = new ArrayList<>();
    checks.add(new JwtTimestampValidator(properties.clockSkew()));
    if (properties.issuer() != null && !properties.issuer().isBlank()) {
      checks.add(new JwtIssuerValidator(properties.issuer()));
    }
    if (properties.audience() != null && !properties.audience().isBlank()) {
      String audience = properties.audience();
      checks.add(
          new JwtClaimValidator<List<String>>(
              "aud", audiences -> audiences != null && audiences.contains(audience)));
    }
    return JwtValidators.createDefaultWithValidators(checks);
  }

  private static SecretKeySpec secretKey(byte[] secret) {
    if (secret == null) {
      throw new IllegalStateException(
          "larder.security.enabled=true needs larder.security.jwk-set-uri (production) or"
              + " larder.security.secret / secret-file (a shared HS256 secret, development)");
    }
    if (secret.length < SecurityProperties.MIN_SECRET_BYTES) {
      throw new IllegalStateException(
          "larder.security.secret is "
              + secret.length
              + " bytes; HS256 needs at least "
              + SecurityProperties.MIN_SECRET_BYTES);
    }
    return new SecretKeySpec(secret, "HmacSHA256");
  }

  private static String describe(java.util.Collection<OAuth2Error> errors) {
    return errors.stream()
        .map(
            error -> error.getDescription() == null ? error.getErrorCode() : error.getDescription())
        .collect(Collectors.joining("; "));
  }
}
