package io.larder.loadtest.shape;

import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the benchmark data looks like, shared by the generator, the raw-Redis baseline and every
 * load driver so they all read the same keys and fields: {@code tables} feature tables named {@code
 * table_<t>}, each with {@code featuresPerTable} features {@code feature_<f>}, all keyed by one
 * INT64 entity whose ids run from 0 to {@code entities - 1}, stored in the hash or the packed
 * layout.
 *
 * <p>Features are ordered table-major (table_0's features first); a request for {@code F} features
 * asks for the first {@code F} of that order, so {@code F = 50} over 5 x 10 touches every table and
 * {@code F = 10} only table_0.
 */
public record BenchmarkShape(
    String project,
    String entityName,
    long entities,
    int tables,
    int featuresPerTable,
    OnlineLayout layout) {

  /** The published Feast benchmark's shape: 1M entities, 50 features over 5 tables. */
  public static final long DEFAULT_ENTITIES = 1_000_000;

  public static final int DEFAULT_TABLES = 5;
  public static final int DEFAULT_FEATURES_PER_TABLE = 10;

  /** Value types cycle over the features of a table, so the payload is not all one type. */
  private static final ValueType.Enum[] TYPES = {
    ValueType.Enum.DOUBLE, ValueType.Enum.INT64, ValueType.Enum.FLOAT, ValueType.Enum.STRING
  };

  /** A shape in the hash layout (Feast's). */
  public BenchmarkShape(
      String project, String entityName, long entities, int tables, int featuresPerTable) {
    this(project, entityName, entities, tables, featuresPerTable, OnlineLayout.HASH);
  }

  public BenchmarkShape {
    if (layout == null) {
      throw new IllegalArgumentException("layout must not be null");
    }
    if (project == null || project.isEmpty()) {
      throw new IllegalArgumentException("project must not be empty");
    }
    if (entities < 1 || tables < 1 || featuresPerTable < 1) {
      throw new IllegalArgumentException(
          "entities, tables and features per table must be at least 1, got %d, %d, %d"
              .formatted(entities, tables, featuresPerTable));
    }
  }

  public int totalFeatures() {
    return tables * featuresPerTable;
  }

  public String tableName(int table) {
    return "table_" + table;
  }

  public String featureName(int feature) {
    return "feature_" + feature;
  }

  public ValueType.Enum featureType(int feature) {
    return TYPES[feature % TYPES.length];
  }

  /** A deterministic value per (entity, table, feature), so a reader can check what it got. */
  public Value featureValue(long entityId, int table, int feature) {
    long seed = entityId * 1_000_003L + table * 1_009L + feature;
    return switch (featureType(feature)) {
      case DOUBLE -> Value.newBuilder().setDoubleVal(seed / 7.0).build();
      case INT64 -> Value.newBuilder().setInt64Val(seed).build();
      case FLOAT -> Value.newBuilder().setFloatVal((float) (seed % 100_000) / 3f).build();
      case STRING -> Value.newBuilder().setStringVal(Long.toHexString(seed)).build();
      default -> throw new IllegalStateException("no value for " + featureType(feature));
    };
  }

  public Value entityValue(long entityId) {
    return Value.newBuilder().setInt64Val(entityId).build();
  }

  /** The Redis key of an entity's row of a packed table, through the shared encoding. */
  public byte[] packedKey(long entityId, int table) {
    return PackedRows.key(PackedRows.keyPrefix(tableName(table)), entityKey(entityId));
  }

  /** The Redis key of an entity's hash, through the shared encoding. */
  public byte[] entityKey(long entityId) {
    return OnlineStoreKeys.entityKey(project, Map.of(entityName, entityValue(entityId)));
  }

  /**
   * The first {@code count} features in table-major order.
   *
   * @throws IllegalArgumentException when the shape has fewer features
   */
  public List<FeatureReferenceV2> featureRefs(int count) {
    checkFeatureCount(count);
    List<FeatureReferenceV2> refs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      refs.add(
          FeatureReferenceV2.newBuilder()
              .setFeatureTable(tableName(i / featuresPerTable))
              .setName(featureName(i % featuresPerTable))
              .build());
    }
    return List.copyOf(refs);
  }

  /** How many tables the first {@code count} features span. */
  public int tablesSpanned(int count) {
    checkFeatureCount(count);
    return (count + featuresPerTable - 1) / featuresPerTable;
  }

  /** Name of a request shape, as benchmarks are named: {@code rows10_features50}. */
  public static String requestShapeName(int rows, int features) {
    return "rows" + rows + "_features" + features;
  }

  private void checkFeatureCount(int count) {
    if (count < 1 || count > totalFeatures()) {
      throw new IllegalArgumentException(
          "features must be between 1 and %d (%d tables x %d), got %d"
              .formatted(totalFeatures(), tables, featuresPerTable, count));
    }
  }
}
