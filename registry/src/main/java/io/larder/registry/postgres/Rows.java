package io.larder.registry.postgres;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Reading protobuf specs and timestamps out of result rows. */
final class Rows {

  private Rows() {}

  static <T extends Message> T message(Readable row, String column, Parser<T> parser) {
    ByteBuffer bytes = row.get(column, ByteBuffer.class);
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored " + column + " is not a valid message", e);
    }
  }

  static Instant instant(Readable row, String column) {
    return row.get(column, OffsetDateTime.class).toInstant();
  }

  static ByteBuffer bytes(Message message) {
    return ByteBuffer.wrap(message.toByteArray());
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(java.time.ZoneOffset.UTC);
  }
}
