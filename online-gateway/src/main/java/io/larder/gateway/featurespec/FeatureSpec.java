package io.larder.gateway.featurespec;

import io.larder.proto.types.ValueProto.ValueType;

/**
 * One feature of a loaded table, with what a lookup needs precomputed: its response key {@code
 * table:feature} and its Redis field (murmur3 of that key).
 */
public final class FeatureSpec {

  private final String name;
  private final String reference;
  private final ValueType.Enum valueType;
  private final byte[] field;
  private final int id;
  private final int index;

  FeatureSpec(
      String name, String reference, ValueType.Enum valueType, byte[] field, int id, int index) {
    this.name = name;
    this.reference = reference;
    this.valueType = valueType;
    this.field = field;
    this.id = id;
    this.index = index;
  }

  public String name() {
    return name;
  }

  /** {@code table:feature}: the key of this feature in a response row. */
  public String reference() {
    return reference;
  }

  public ValueType.Enum valueType() {
    return valueType;
  }

  /** The Redis hash field; shared by every request, so callers must not modify it. */
  public byte[] field() {
    return field;
  }

  /** The feature's id in a packed row: its {@link #field()} read as a little-endian int. */
  public int id() {
    return id;
  }

  /** Position in its table's feature list. */
  public int index() {
    return index;
  }

  @Override
  public String toString() {
    return reference + "(" + valueType + ")";
  }
}
