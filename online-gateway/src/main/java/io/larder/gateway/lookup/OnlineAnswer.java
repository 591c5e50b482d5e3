package io.larder.gateway.lookup;

import com.google.protobuf.InvalidProtocolBufferException;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answer for a range of a request's rows, before any wire format: per row the entity fields it
 * echoes, and per requested feature (a <em>slot</em>, in answer order) a status and the bytes of
 * its serialized Value, straight from the store when they were already canonical. Encoders write it
 * to gRPC or JSON without building the message tree; {@link #toResponse} builds the tree, as the
 * reference the encoders are tested against.
 */
public final class OnlineAnswer {

  private static final byte[] EMPTY_VALUE = new byte[0];
  private static final FieldStatus[] STATUSES = {
    FieldStatus.INVALID,
    FieldStatus.PRESENT,
    FieldStatus.NULL_VALUE,
    FieldStatus.NOT_FOUND,
    FieldStatus.OUTSIDE_MAX_AGE
  };

  private final int firstRow;
  private final List<Map<String, Value>> entityFields;
  private final String[] references;
  private final byte[] statuses;
  private final byte[][] values;

  /**
   * @param firstRow the request index of the first row
   * @param entityFields per row, the fields it echoes (the request row's own fields)
   * @param references per slot, the {@code table:feature} key
   * @param statuses per row and slot ({@code row * slots + slot}), a FieldStatus number
   * @param values per row and slot, the serialized Value; null for an empty one
   */
  public OnlineAnswer(
      int firstRow,
      List<Map<String, Value>> entityFields,
      String[] references,
      byte[] statuses,
      byte[][] values) {
    if (statuses.length != entityFields.size() * references.length
        || values.length != statuses.length) {
      throw new IllegalArgumentException("one status and value per row and slot");
    }
    this.firstRow = firstRow;
    this.entityFields = entityFields;
    this.references = references;
    this.statuses = statuses;
    this.values = values;
  }

  public int rowCount() {
    return entityFields.size();
  }

  /** Where row {@code row} of this answer is in the request. */
  public int requestRow(int row) {
    return firstRow + row;
  }

  public Map<String, Value> entityFields(int row) {
    return entityFields.get(row);
  }

  public int slotCount() {
    return references.length;
  }

  public String reference(int slot) {
    return references[slot];
  }

  /** Every slot's {@code table:feature} key, in order: what the answer's encoders depend on. */
  public List<String> references() {
    return Collections.unmodifiableList(Arrays.asList(references));
  }

  /** The FieldStatus number of a feature of a row. */
  public int status(int row, int slot) {
    return statuses[row * references.length + slot];
  }

  /** The serialized Value of a feature of a row: empty unless PRESENT. Callers must not modify. */
  public byte[] value(int row, int slot) {
    byte[] value = values[row * references.length + slot];
    return value == null ? EMPTY_VALUE : value;
  }

  /**
   * Whether some row echoes a field whose name is also a requested feature's key: a map holds one
   * entry per key, so such a row is only answered right through {@link #toResponse}.
   */
  public boolean echoCollides() {
    if (references.length == 0) {
      return false;
    }
    Set<String> keys = null;
    for (Map<String, Value> fields : entityFields) {
      if (fields.isEmpty()) {
        continue;
      }
      if (keys == null) {
        keys = new HashSet<>(Arrays.asList(references));
      }
      for (String name : fields.keySet()) {
        if (keys.contains(name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Feature statuses counted by FieldStatus number (echoed entity fields not included). */
  public long[] statusCounts() {
    long[] counts = new long[STATUSES.length];
    for (byte status : statuses) {
      counts[status >= 0 && status < counts.length ? status : 0]++;
    }
    return counts;
  }

  /** Row {@code row} as the message tree, as the generic encoders see it. */
  public FieldValues row(int row) {
    FieldValues.Builder answer = FieldValues.newBuilder();
    Map<String, Value> echoed = entityFields.get(row);
    if (!echoed.isEmpty()) {
      answer.putAllFields(echoed);
      for (String name : echoed.keySet()) {
        answer.putStatuses(name, FieldStatus.PRESENT);
      }
    }
    for (int slot = 0; slot < references.length; slot++) {
      Value value;
      byte[] bytes = value(row, slot);
      try {
        value = bytes.length == 0 ? Value.getDefaultInstance() : Value.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("an answer holds a Value that does not parse", e);
      }
      answer.putFields(references[slot], value);
      answer.putStatusesValue(references[slot], status(row, slot));
    }
    return answer.build();
  }

  /** The whole answer as the message tree. */
  public GetOnlineFeaturesResponse toResponse() {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    for (int row = 0; row < rowCount(); row++) {
      response.addFieldValues(row(row));
    }
    return response.build();
  }
}
