package io.larder.jobs.online;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A Lua script that writes rows into the online store only when they are newer than the stored
 * ones; atomic per entity, so a failed job never leaves a half-written entity. {@link #HASH} writes
 * entity hashes and re-derives the key's expiry (newest-wins.lua), {@link #PACKED} packed strings
 * (packed-newest-wins.lua); both start with the shared timestamps.lua.
 */
final class NewestWinsScript {

  static final NewestWinsScript HASH = new NewestWinsScript("newest-wins.lua");
  static final NewestWinsScript PACKED = new NewestWinsScript("packed-newest-wins.lua");

  /** Script replies. */
  static final long WRITTEN = 1L;

  static final long NOT_NEWER = 0L;

  final String source;
  final byte[] sourceBytes;

  private NewestWinsScript(String body) {
    this.source = load("timestamps.lua") + "\n" + load(body);
    this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
  }

  private static String load(String name) {
    try (InputStream in = NewestWinsScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
