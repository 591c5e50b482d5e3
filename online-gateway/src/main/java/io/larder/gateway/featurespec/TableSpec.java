package io.larder.gateway.featurespec;

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
  private final byte[] timestampField;
  private final long maxAgeNanos;
  private final Map<String, FeatureSpec> featuresByName;
  private final List<FeatureSpec> features;
  private final int index;

  TableSpec(
      FeatureTableSpec spec,
      EntityKeySpec entityKey,
      byte[] timestampField,
      long maxAgeNanos,
      List<FeatureSpec> features,
      Map<String, FeatureSpec> featuresByName,
      int index) {
    this.spec = spec;
    this.entityKey = entityKey;
    this.timestampField = timestampField;
    this.maxAgeNanos = maxAgeNanos;
    this.features = features;
    this.featuresByName = featuresByName;
    this.index = index;
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
