package io.larder.gateway.store.redis;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The ACL user and password the gateway authenticates with, resolved on every connect: a password
 * file is read again each time, so rotating the file and dropping the old password in Redis needs
 * no gateway restart.
 */
final class RedisPasswordCredentials implements RedisCredentialsProvider {

  private final String username;
  private final String password;
  private final Path passwordFile;

  private RedisPasswordCredentials(String username, String password, Path passwordFile) {
    this.username = username.isEmpty() ? null : username;
    this.password = password;
    this.passwordFile = passwordFile;
  }

  /** From the properties; fails start-up with a message if the password file cannot be read. */
  static RedisPasswordCredentials of(RedisStoreProperties properties) {
    if (properties.passwordFile().isEmpty()) {
      return new RedisPasswordCredentials(properties.username(), properties.password(), null);
    }
    RedisPasswordCredentials credentials =
        new RedisPasswordCredentials(
            properties.username(), null, Path.of(properties.passwordFile()));
    credentials.readPasswordFile();
    return credentials;
  }

  @Override
  public Mono<RedisCredentials> resolveCredentials() {
    if (passwordFile == null) {
      return Mono.just(RedisCredentials.just(username, password));
    }
    // Connects run on Lettuce's event loop; the file read must not.
    return Mono.fromCallable(() -> RedisCredentials.just(username, readPasswordFile()))
        .subscribeOn(Schedulers.boundedElastic());
  }

  private String readPasswordFile() {
    try {
      // A trailing newline (echo > file) is not part of the password.
      return Files.readString(passwordFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "larder.redis.password-file " + passwordFile + " cannot be read: " + e.getMessage(), e);
    }
  }
}
