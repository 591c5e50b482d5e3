package io.larder.support.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityTest {

  private static final SecurityProperties ON =
      new SecurityProperties(
          true,
          TestTokens.ISSUER,
          null,
          null,
          TestTokens.SECRET,
          null,
          Duration.ofSeconds(60),
          "larder_roles",
          true);

  @Test
  void rolesIncludeTheWeakerOnesAndTheWildcardCoversEveryProject() {
    Caller caller = Caller.fromClaim("ann", List.of("writer:rides", "reader:*"));

    assertThat(caller.may(ProjectRole.READER, "rides")).isTrue();
    assertThat(caller.may(ProjectRole.WRITER, "rides")).isTrue();
    assertThat(caller.may(ProjectRole.ADMIN, "rides")).isFalse();
    assertThat(caller.may(ProjectRole.READER, "fraud")).isTrue();
    assertThat(caller.may(ProjectRole.WRITER, "fraud")).isFalse();
    assertThat(Caller.ANYONE.may(ProjectRole.ADMIN, "any")).isTrue();
    assertThat(Caller.NOBODY.may(ProjectRole.READER, "any")).isFalse();
  }

  @Test
  void aRefusalNamesTheProjectTheRoleNeededAndTheRoleHeld() {
    Caller caller = Caller.fromClaim("ann", List.of("reader:rides"));

    assertThatThrownBy(() -> caller.require(ProjectRole.WRITER, "rides", "apply entities"))
        .isInstanceOfSatisfying(
            AuthException.class,
            refused -> {
              assertThat(refused.kind()).isEqualTo(AuthException.Kind.PERMISSION_DENIED);
              assertThat(refused.httpStatus().value()).isEqualTo(403);
            })
        .hasMessage(
            "'ann' may not apply entities in project 'rides': that needs the writer role (holds"
                + " reader)");
  }

  @Test
  void malformedRolesClaimsAreUnauthenticated() {
    assertThatThrownBy(() -> Caller.fromClaim("x", List.of("owner:rides")))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("unknown role 'owner'");
    assertThatThrownBy(() -> Caller.fromClaim("x", List.of("rides")))
        .hasMessageContaining("expected role:project");
    assertThatThrownBy(() -> Caller.fromClaim("x", 42)).hasMessageContaining("list");
  }

  @Test
  void theVerifierChecksSignatureExpiryAndIssuerAndNeverEchoesTheToken() {
    TokenVerifier verifier = new TokenVerifier(ON);
    String good = TestTokens.valid("svc", "reader:*");

    assertThat(verifier.verify(good).subject()).isEqualTo("svc");
    for (String bad :
        List.of(
            TestTokens.expired("svc", "reader:*"),
            good.substring(0, good.length() - 2) + "xx",
            TestTokens.signed(
                "svc", Instant.now().plusSeconds(60), "elsewhere", TestTokens.SECRET, "reader:*"),
            TestTokens.signed(
                "svc",
                Instant.now().plusSeconds(60),
                TestTokens.ISSUER,
                "another-secret-another-secret-0123456789",
                "reader:*"),
            "not a token")) {
      assertThatThrownBy(() -> verifier.verify(bad))
          .isInstanceOfSatisfying(
              AuthException.class,
              refused -> assertThat(refused.kind()).isEqualTo(AuthException.Kind.UNAUTHENTICATED))
          .message()
          .doesNotContain(bad);
    }
  }

  @Test
  void aShortSecretOrNoKeyAtAllStopsTheServiceFromStarting() {
    SecurityProperties shortSecret =
        new SecurityProperties(
            true, null, null, null, "short", null, Duration.ZERO, "larder_roles", true);
    SecurityProperties noKey =
        new SecurityProperties(
            true, null, null, null, null, null, Duration.ZERO, "larder_roles", true);

    assertThatThrownBy(() -> new TokenVerifier(shortSecret)).hasMessageContaining("32");
    assertThatThrownBy(() -> new TokenVerifier(noKey)).hasMessageContaining("jwk-set-uri");
    assertThat(ON.toString()).doesNotContain(TestTokens.SECRET);
  }

  @Test
  void theAuthorizationHeaderMustBeABearerToken() {
    assertThat(GrpcAuthentication.bearerToken("Bearer abc")).isEqualTo("abc");
    assertThat(GrpcAuthentication.bearerToken("bearer abc")).isEqualTo("abc");
    assertThatThrownBy(() -> GrpcAuthentication.bearerToken(null)).hasMessageContaining("no token");
    assertThatThrownBy(() -> GrpcAuthentication.bearerToken("Basic abc"))
        .hasMessageContaining("Bearer");
  }
}
