package io.larder.support.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** HS256 tokens for the services' authentication tests, as {@code larder token} mints them. */
public final class TestTokens {

  /** The shared secret the tests give the services (larder.security.secret). */
  public static final String SECRET = "larder-test-secret-0123456789-abcdefghij";

  public static final String ISSUER = "larder-test";

  private TestTokens() {}

  /** Valid for ten minutes. */
  public static String valid(String subject, String... roles) {
    return signed(subject, Instant.now().plusSeconds(600), ISSUER, SECRET, roles);
  }

  /** Expired ten minutes ago, well past the clock skew. */
  public static String expired(String subject, String... roles) {
    return signed(subject, Instant.now().minusSeconds(600), ISSUER, SECRET, roles);
  }

  public static String signed(
      String subject, Instant expires, String issuer, String secret, String... roles) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(issuer)
            .issueTime(Date.from(expires.minusSeconds(900)))
            .expirationTime(Date.from(expires))
            .claim("larder_roles", List.of(roles))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
