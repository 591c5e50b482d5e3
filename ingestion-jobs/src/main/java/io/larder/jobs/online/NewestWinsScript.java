package io.larder.jobs.online;

import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.types.ValueProto.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  /**
   * The hash script's arguments for one row (see newest-wins.lua): a row's non-null features are
   * set, its null ones deleted.
   *
   * @param expiry the row's expiry, or null when the table has no max age
   */
  static List<byte[]> hashRowArgs(
      String table, Map<String, Value> features, Timestamp eventTime, Timestamp expiry) {
    Map<byte[], byte[]> fields = OnlineRowWriter.fields(table, features, eventTime, expiry);
    List<byte[]> nullFields = OnlineRowWriter.nullFields(table, features);
    List<byte[]> args = new ArrayList<>(5 + 2 * fields.size() + nullFields.size());
    args.add(OnlineStoreKeys.timestampField(table));
    args.add(eventTime.toByteArray());
    args.add(OnlineStoreKeys.expiryField(table));
    args.add(expiry == null ? new byte[0] : expiry.toByteArray());
    args.add(Integer.toString(fields.size()).getBytes(StandardCharsets.US_ASCII));
    fields.forEach(
        (field, value) -> {
          args.add(field);
          args.add(value);
        });
    args.addAll(nullFields);
    return args;
  }

  /**
   * The packed script's arguments for one row (see packed-newest-wins.lua): the row, and its expiry
   * in whole Unix seconds rounded up (at least 1: SET refuses a lower EXAT), empty without one.
   */
  static List<byte[]> packedRowArgs(byte[] packedRow, Instant expiry) {
    if (expiry == null) {
      return List.of(packedRow, new byte[0]);
    }
    long seconds = expiry.getEpochSecond() + (expiry.getNano() > 0 ? 1 : 0);
    return List.of(
        packedRow, Long.toString(Math.max(1, seconds)).getBytes(StandardCharsets.US_ASCII));
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
