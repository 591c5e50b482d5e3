package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.gateway.lookup.HashRead;
import io.larder.onlinestore.PemTrust;
import io.larder.support.blockhound.LarderBlockHound;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The store against the stack's secured Redis ({@code scripts/stack start redis-secure}): TLS only,
 * no default user, the gateway's read-only ACL user with its password from a file.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecureRedisIT {

  static {
    LarderBlockHound.install();
  }

  private static final Duration CONNECT_WITHIN = Duration.ofSeconds(20);
  // The first TLS handshake of a cold JVM can outlast the 250 ms default, and the tests that read
  // the first attempt's failure want the server's reason, not a handshake timeout.
  private static final String COLD_HANDSHAKE_BUDGET = "2s";
  private static final byte[] KEY = bytes("secure_it_" + UUID.randomUUID() + ":entity");
  private static final byte[] FIELD = bytes("rides:price");

  private static RedisClient writerClient;
  private static StatefulRedisConnection<byte[], byte[]> writer;

  private RedisOnlineStore store;

  @BeforeAll
  static void writeAsTheIngestUser() throws IOException {
    RedisURI uri =
        RedisURI.create(url().replace("rediss://", "rediss://ingest:" + password("INGEST") + "@"));
    writerClient = RedisClient.create(uri);
    writerClient.setOptions(
        ClientOptions.builder()
            .sslOptions(
                SslOptions.builder()
                    .trustManager(PemTrust.trustManagerFactory(caFile(), "ca-file"))
                    .build())
            .build());
    writer = writerClient.connect(ByteArrayCodec.INSTANCE);
    writer.sync().hset(KEY, FIELD, bytes("42"));
  }

  @AfterAll
  static void deleteAndClose() {
    if (writer != null) {
      writer.sync().del(KEY);
      writer.close();
    }
    if (writerClient != null) {
      writerClient.shutdown();
    }
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void readsOverTlsAsTheReadOnlyAclUserWithThePasswordFromAFile() {
    store =
        RedisTestSupport.standaloneStore(
            RedisTestSupport.properties(
                "uri", url(),
                "username", "gateway",
                "password-file", passwordFile("GATEWAY"),
                "tls.ca-file", caFile()));
    RedisTestSupport.awaitConnected(store, CONNECT_WITHIN);

    assertThat(RedisTestSupport.readStrings(store, List.of(new HashRead(KEY, List.of(FIELD)))))
        .containsExactly(List.of("42"));
  }

  @Test
  void aWrongPasswordFailsReadsAsUnavailableAndNeverShowsThePassword(
      @TempDir Path dir, CapturedOutput output) throws IOException {
    String wrong = "wrong-" + UUID.randomUUID();
    Path file = Files.writeString(dir.resolve("gateway.password"), wrong + "\n");
    RedisStoreProperties properties =
        RedisTestSupport.properties(
            "uri", url(),
            "username", "gateway",
            "password-file", file.toString(),
            "tls.ca-file", caFile(),
            "command-timeout", COLD_HANDSHAKE_BUDGET);
    store = RedisTestSupport.standaloneStore(properties);

    assertThat(failureOnceAnAttemptFailed(store)).contains("WRONGPASS").doesNotContain(wrong);
    assertThat(properties.toString()).doesNotContain(wrong);
    waitForConnectAttemptsToBeLogged(output);
    assertThat(output.getAll()).doesNotContain(wrong);
  }

  @Test
  void aPasswordWrittenIntoTheUriIsMaskedInPropertiesAndLogs(CapturedOutput output)
      throws IOException {
    String password = password("GATEWAY");
    String uri = url().replace("rediss://", "rediss://gateway:" + password + "@");
    RedisStoreProperties properties =
        RedisTestSupport.properties("uri", uri, "tls.ca-file", caFile());
    store = RedisTestSupport.standaloneStore(properties);
    RedisTestSupport.awaitConnected(store, CONNECT_WITHIN);

    assertThat(RedisTestSupport.readStrings(store, List.of(new HashRead(KEY, List.of(FIELD)))))
        .containsExactly(List.of("42"));
    assertThat(properties.toString()).doesNotContain(password).contains("gateway:****@");
    assertThat(output.getAll()).doesNotContain(password);
  }

  @Test
  void aServerCertificateNoTrustedCaSignedIsRefused() throws IOException {
    // No ca-file: the JVM's trust store, which does not hold the stack's development CA.
    store =
        RedisTestSupport.standaloneStore(
            RedisTestSupport.properties(
                "uri",
                url(),
                "username",
                "gateway",
                "password-file",
                passwordFile("GATEWAY"),
                "command-timeout",
                COLD_HANDSHAKE_BUDGET));

    assertThat(failureOnceAnAttemptFailed(store))
        .contains("(TLS)")
        .containsIgnoringCase("certificat");
  }

  @Test
  void aUsernameWithoutAPasswordIsRefusedAtStartUp() {
    assertThatThrownBy(
            () ->
                RedisTestSupport.standaloneStore(
                    RedisTestSupport.properties("uri", url(), "username", "gateway")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larder.redis.username");
  }

  /** A read's failure message once the first connection attempt has failed (and said why). */
  private static String failureOnceAnAttemptFailed(RedisOnlineStore store) {
    long deadline = System.nanoTime() + CONNECT_WITHIN.toNanos();
    String message;
    do {
      RedisTestSupport.sleep(Duration.ofMillis(50));
      message =
          RedisTestSupport.failure(store, List.of(new HashRead(KEY, List.of(FIELD))))
              .block(RedisTestSupport.BLOCK)
              .message();
    } while (message.contains("first attempt still running") && System.nanoTime() < deadline);
    return message;
  }

  /** Lettuce logs failed connects asynchronously; give the first attempts time to be written. */
  private static void waitForConnectAttemptsToBeLogged(CapturedOutput output) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!output.getAll().contains("cannot connect to") && System.nanoTime() < deadline) {
      RedisTestSupport.sleep(Duration.ofMillis(50));
    }
  }

  private static String url() {
    return required("LARDER_REDIS_SECURE_URL");
  }

  private static String caFile() {
    return required("LARDER_REDIS_SECURE_CA_FILE");
  }

  private static String passwordFile(String user) {
    return required("LARDER_REDIS_SECURE_" + user + "_PASSWORD_FILE");
  }

  private static String password(String user) throws IOException {
    return Files.readString(Path.of(passwordFile(user))).strip();
  }

  private static String required(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          variable
              + " is not set: start the secured Redis with `scripts/stack start redis-secure`"
              + " and export `scripts/stack env redis-secure`");
    }
    return value;
  }
}
