package io.larder.sdk.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Mints a development token: an HS256 JWT signed with the shared secret the services are given
 * ({@code larder.security.secret}), naming a subject and its roles per project. Production tokens
 * come from the organisation's identity provider instead (the services then check its JWKS).
 */
@Command(
    name = "token",
    description =
        "Prints a development bearer token (HS256, signed with the shared secret of"
            + " larder.security.secret) for a subject and its roles, e.g."
            + " larder token --role writer:rides --role reader:*")
final class TokenCommand implements Callable<Integer> {

  static final int MIN_SECRET_BYTES = 32;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--role",
      required = true,
      description =
          "role:project, repeatable; role is reader, writer or admin; project * is every project.")
  List<String> roles = new ArrayList<>();

  @Option(names = "--subject", defaultValue = "developer", description = "The token's sub.")
  String subject;

  @Option(
      names = "--ttl",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description = "How long the token is valid (default ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(names = "--issuer", description = "The token's iss (when the services check one).")
  String issuer;

  @Option(names = "--audience", description = "The token's aud (when the services check one).")
  String audience;

  @Option(
      names = "--secret-file",
      description = "File with the shared secret; default: the environment's LARDER_AUTH_SECRET.")
  Path secretFile;

  @Option(names = "--roles-claim", defaultValue = "larder_roles", description = "Claim name.")
  String rolesClaim;

  /** Where the secret comes from when no file is named; tests replace it. */
  java.util.function.Function<String, String> environment = System::getenv;

  @Override
  public Integer call() throws IOException, JOSEException {
    for (String role : roles) {
      checkRole(role);
    }
    byte[] secret = secret();
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .claim(rolesClaim, List.copyOf(roles));
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(secret));
    spec.commandLine().getOut().println(jwt.serialize());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private byte[] secret() throws IOException {
    String value =
        secretFile != null
            ? Files.readString(secretFile, StandardCharsets.UTF_8).trim()
            : environment.apply("LARDER_AUTH_SECRET");
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "no secret: set LARDER_AUTH_SECRET (the services' larder.security.secret) or"
              + " --secret-file");
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the secret is " + bytes.length + " bytes; HS256 needs at least " + MIN_SECRET_BYTES);
    }
    return bytes;
  }

  static void checkRole(String entry) {
    int colon = entry.indexOf(':');
    String role = colon > 0 ? entry.substring(0, colon).toLowerCase(Locale.ROOT) : "";
    if (colon <= 0
        || colon == entry.length() - 1
        || !List.of("reader", "writer", "admin").contains(role)) {
      throw new IllegalArgumentException(
          "--role " + entry + ": expected role:project with role reader, writer or admin");
    }
  }
}
