package io.larder.gateway.featurespec;

import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.util.List;
import java.util.Map;

/**
 * One feature table as the lookup needs it, computed once per snapshot: its key shape, its {@code
 * _ts:<table>} field, its max age in nanoseconds and its features by name.
 */
public final class TableSpec {

  private final FeatureTableSpec spec;
  private final EntityKeySpec entityKey;
  private final OnlineLayout layout;
  private final byte[] packedKeyPrefix;
  private final byte[] timestampField;
  private final long maxAgeNanos;
  private final Map<String, FeatureSpec> featuresByName;
  private final List<FeatureSpec> features;
  private final int index;

  /** Feature ids in an open-addressing table (size a power of two), for packed rows. */
  private final int[] idSlots;

  private final int[] indexOfIdSlot;

  TableSpec(
      FeatureTableSpec spec,
      EntityKeySpec entityKey,
      OnlineLayout layout,
      byte[] packedKeyPrefix,
      byte[] timestampField,
      long maxAgeNanos,
      List<FeatureSpec> features,
      Map<String, FeatureSpec> featuresByName,
      int index) {
    this.spec = spec;
    this.entityKey = entityKey;
    this.layout = layout;
    this.packedKeyPrefix = packedKeyPrefix;
    this.timestampField = timestampField;
    this.maxAgeNanos = maxAgeNanos;
    this.features = features;
    this.featuresByName = featuresByName;
    this.index = index;
    int slots = Integer.highestOneBit(Math.max(2, features.size()) * 2 - 1) << 1;
    this.idSlots = new int[slots];
    this.indexOfIdSlot = new int[slots];
    java.util.Arrays.fill(indexOfIdSlot, -1);
    for (FeatureSpec feature : features) {
      int slot = feature.id() & (slots - 1);
      while (indexOfIdSlot[slot] >= 0) {
        slot = (slot + 1) & (slots - 1);
      }
      idSlots[slot] = feature.id();
      indexOfIdSlot[slot] = feature.index();
    }
  }

  public String name() {
    return spec.getName();
  }

  /** The spec as the registry returned it. */
  public FeatureTableSpec spec() {
    return spec;
  }

  public EntityKeySpec entityKey() {
    return entityKey;
  }

  /** Where the table's rows live in Redis. */
  public OnlineLayout layout() {
    return layout;
  }

  /**
   * The packed key up to the entity values: {@code _p:<table>:} and the entity key's prefix;
   * shared, so callers must not modify it.
   */
  public byte[] packedKeyPrefix() {
    return packedKeyPrefix;
  }

  /**
   * The feature with this packed-row id, as its {@link FeatureSpec#index()}, or -1.
   *
   * @param hint the index to try first (rows are written in feature order)
   */
  public int featureIndexOf(int id, int hint) {
    if (hint >= 0 && hint < features.size() && features.get(hint).id() == id) {
      return hint;
    }
    int mask = idSlots.length - 1;
    for (int slot = id & mask; indexOfIdSlot[slot] >= 0; slot = (slot + 1) & mask) {
      if (idSlots[slot] == id) {
        return indexOfIdSlot[slot];
      }
    }
    return -1;
  }

  /** {@code _ts:<table>}; shared, so callers must not modify it. */
  public byte[] timestampField() {
    return timestampField;
  }

  /** The table's max age; 0 means no limit. */
  public long maxAgeNanos() {
    return maxAgeNanos;
  }

  /** The named feature, or null when the table has none of that name. */
  public FeatureSpec feature(String name) {
    return featuresByName.get(name);
  }

  /** Every feature, in spec order ({@link FeatureSpec#index()}). */
  public List<FeatureSpec> features() {
    return features;
  }

  /** Position among the project's tables, for array-indexed grouping. */
  public int index() {
    return index;
  }

  @Override
  public String toString() {
    return name();
  }
}
