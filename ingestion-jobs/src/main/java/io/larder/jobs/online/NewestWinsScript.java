package io.larder.jobs.online;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua script that writes one row into one entity's hash only when it is newer than the stored
 * {@code _ts:<table>}, and re-derives the key's expiry; atomic per entity, so a failed job never
 * leaves a half-written entity (newest-wins.lua beside this class).
 */
final class NewestWinsScript {

  static final String SOURCE = load();
  static final byte[] SOURCE_BYTES = SOURCE.getBytes(StandardCharsets.UTF_8);

  /** Script replies. */
  static final long WRITTEN = 1L;

  static final long NOT_NEWER = 0L;

  private NewestWinsScript() {}

  private static String load() {
    try (InputStream in = NewestWinsScript.class.getResourceAsStream("newest-wins.lua")) {
      if (in == null) {
        throw new IllegalStateException("newest-wins.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
