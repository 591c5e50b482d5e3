package io.larder.onlinestore;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;

/**
 * Turns what HMGET returned for one table of one entity into feature values and statuses, by the
 * rules of ONLINE_STORE_LAYOUT.md.
 */
public final class OnlineRowReader {

  /** One feature's answer. */
  public record FeatureValue(Value value, FieldStatus status) {}

  private static final Value EMPTY = Value.getDefaultInstance();
  private static final FeatureValue NOT_FOUND = new FeatureValue(EMPTY, FieldStatus.NOT_FOUND);
  private static final FeatureValue NULL_VALUE = new FeatureValue(EMPTY, FieldStatus.NULL_VALUE);
  private static final FeatureValue OUTSIDE_MAX_AGE =
      new FeatureValue(EMPTY, FieldStatus.OUTSIDE_MAX_AGE);

  private OnlineRowReader() {}

  /** How fresh one table's row is for one entity row. */
  public enum Freshness {
    /** No {@code _ts:<table>}: the entity has no row in this table. */
    MISSING,
    /** Older than max age before the entity row's time. */
    STALE,
    FRESH
  }

  /**
   * @param storedTimestamp the {@code _ts:<table>} reply, null when absent
   * @param maxAgeNanos the table's max age; 0 means no limit
   * @param asOfNanos the entity row's timestamp, or now, in epoch nanoseconds
   */
  public static Freshness freshness(byte[] storedTimestamp, long maxAgeNanos, long asOfNanos) {
    if (storedTimestamp == null) {
      return Freshness.MISSING;
    }
    if (maxAgeNanos <= 0) {
      return Freshness.FRESH;
    }
    Timestamp eventTime;
    try {
      eventTime = Timestamp.parseFrom(storedTimestamp);
    } catch (InvalidProtocolBufferException e) {
      return Freshness.MISSING;
    }
    long eventNanos = eventTime.getSeconds() * 1_000_000_000L + eventTime.getNanos();
    // Exactly max age old is still fresh; one nanosecond more is not.
    return eventNanos < asOfNanos - maxAgeNanos ? Freshness.STALE : Freshness.FRESH;
  }

  /**
   * @param storedValue the feature field's reply, null when absent
   * @param declared the type the feature table declares for it
   * @param freshness the table's {@link #freshness}
   */
  public static FeatureValue read(
      byte[] storedValue, ValueType.Enum declared, Freshness freshness) {
    if (freshness == Freshness.MISSING || storedValue == null) {
      return NOT_FOUND;
    }
    Value value;
    try {
      value = Value.parseFrom(storedValue);
    } catch (InvalidProtocolBufferException e) {
      return NOT_FOUND;
    }
    if (value.getValCase() == Value.ValCase.VAL_NOT_SET) {
      return NULL_VALUE;
    }
    if (!OnlineValues.hasType(value, declared)) {
      return NOT_FOUND;
    }
    if (freshness == Freshness.STALE) {
      return OUTSIDE_MAX_AGE;
    }
    return new FeatureValue(value, FieldStatus.PRESENT);
  }
}
