package io.larder.sdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

  private static final String SECRET = "cli-test-secret-0123456789-abcdefghijkl";

  @TempDir Path dir;

  @Test
  void mintsAnHs256TokenWithSubjectRolesAndExpiry() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), SECRET + "\n");
    StringWriter out = new StringWriter();

    int exit =
        LarderCli.commandLine(new LarderCli())
            .setOut(new PrintWriter(out))
            .execute(
                "token",
                "--secret-file",
                secret.toString(),
                "--subject",
                "ann",
                "--role",
                "writer:rides",
                "--role",
                "reader:*",
                "--ttl",
                "2h",
                "--issuer",
                "larder-dev");

    assertThat(exit).isZero();
    SignedJWT jwt = SignedJWT.parse(out.toString().trim());
    assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("ann");
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("larder-dev");
    assertThat(jwt.getJWTClaimsSet().getStringListClaim("larder_roles"))
        .containsExactly("writer:rides", "reader:*");
    assertThat(jwt.getJWTClaimsSet().getExpirationTime())
        .isAfter(new Date(System.currentTimeMillis() + 7_000_000));
  }

  @Test
  void aBadRoleOrAShortSecretIsAUsageErrorThatNamesTheProblem() throws Exception {
    Path shortSecret = Files.writeString(dir.resolve("short"), "tiny");
    Path secret = Files.writeString(dir.resolve("secret"), SECRET);
    StringWriter err = new StringWriter();

    int badRole =
        LarderCli.commandLine(new LarderCli())
            .setErr(new PrintWriter(err))
            .execute("token", "--secret-file", secret.toString(), "--role", "owner:rides");
    int tooShort =
        LarderCli.commandLine(new LarderCli())
            .setErr(new PrintWriter(err))
            .execute("token", "--secret-file", shortSecret.toString(), "--role", "reader:x");

    assertThat(badRole).isEqualTo(2);
    assertThat(tooShort).isEqualTo(2);
    assertThat(err.toString()).contains("owner:rides").contains("at least 32");
  }
}
