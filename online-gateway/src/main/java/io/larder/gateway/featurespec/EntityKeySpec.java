package io.larder.gateway.featurespec;

import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.Arrays;
import java.util.List;

/**
 * The Redis key shape shared by every table of a project keyed on the same entity names: the names
 * in key order (sorted) with their declared types, and the serialized key up to the entity values,
 * which only the values of a row complete.
 */
public final class EntityKeySpec {

  private final String[] names;
  private final ValueType.Enum[] types;
  private final byte[] keyPrefix;
  private final int index;

  EntityKeySpec(String project, List<String> sortedNames, ValueType.Enum[] types, int index) {
    this.names = sortedNames.toArray(String[]::new);
    this.types = types.clone();
    // RedisKeyV2 is serialized in field order (project=1, entity_names=2, entity_values=3), so
    // everything before the values is the same for every row: compute it once.
    this.keyPrefix =
        RedisKeyV2.newBuilder()
            .setProject(project)
            .addAllEntityNames(sortedNames)
            .build()
            .toByteArray();
    this.index = index;
  }

  /** How many entities make up the key. */
  public int size() {
    return names.length;
  }

  /** The i-th entity name, in key (alphabetical) order. */
  public String name(int i) {
    return names[i];
  }

  /** The declared type of the i-th entity; INVALID when the project does not declare it. */
  public ValueType.Enum type(int i) {
    return types[i];
  }

  /**
   * The serialized {@code RedisKeyV2} without its entity values; shared, so callers must not modify
   * it.
   */
  public byte[] keyPrefix() {
    return keyPrefix;
  }

  /** Position among the distinct entity-name sets of the project. */
  public int index() {
    return index;
  }

  @Override
  public String toString() {
    return Arrays.toString(names);
  }
}
