package io.larder.support.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code larder.security.*}: bearer JWTs on every gRPC and HTTP endpoint, off by default.
 *
 * @param enabled on: every call needs a valid token (health stays open)
 * @param issuer the {@code iss} every token must carry (unset: not checked)
 * @param audience an {@code aud} every token must include (unset: not checked)
 * @param jwkSetUri where the issuer publishes its signing keys (production)
 * @param secret a shared HS256 secret of at least 32 bytes (development and the demo)
 * @param secretFile a file holding the shared secret, instead of {@code secret}
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param rolesClaim the claim listing {@code role:project} entries
 * @param openMetrics whether /actuator/prometheus answers without a token
 */
@ConfigurationProperties("larder.security")
public record SecurityProperties(
    @DefaultValue("false") boolean enabled,
    String issuer,
    String audience,
    String jwkSetUri,
    String secret,
    Path secretFile,
    @DefaultValue("60s") Duration clockSkew,
    @DefaultValue("larder_roles") String rolesClaim,
    @DefaultValue("true") boolean openMetrics) {

  /** HS256 keys shorter than this are refused (RFC 7518 section 3.2). */
  static final int MIN_SECRET_BYTES = 32;

  /** The shared secret from {@code secret} or {@code secretFile}, or null when neither is set. */
  public byte[] sharedSecret() {
    String value = secret;
    if ((value == null || value.isBlank()) && secretFile != null) {
      try {
        value = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "larder.security.secret-file " + secretFile + " cannot be read", e);
      }
    }
    return value == null || value.isBlank() ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  // Never print the secret: properties end up in logs and actuator answers.
  @Override
  public String toString() {
    return "SecurityProperties[enabled=%s, issuer=%s, audience=%s, jwkSetUri=%s, secret=%s, secretFile=%s, clockSkew=%s, rolesClaim=%s, openMetrics=%s]"
        .formatted(
            enabled,
            issuer,
            audience,
            jwkSetUri,
            secret == null ? null : "(hidden)",
            secretFile,
            clockSkew,
            rolesClaim,
            openMetrics);
  }
}
