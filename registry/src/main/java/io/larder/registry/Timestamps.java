package io.larder.registry;

import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Conversions between {@link Instant} and protobuf timestamps. */
public final class Timestamps {

  private Timestamps() {}

  public static Timestamp of(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  public static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /** Now, at the precision PostgreSQL keeps, so a value read back equals the one returned. */
  public static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
