package io.larder.gateway.featurespec;

import com.google.protobuf.Duration;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The feature tables and entities of one project, precomputed for lookups. */
public final class ProjectSpec {

  private final String name;
  private final Map<String, TableSpec> tables;
  private final Map<String, EntitySpecV2> entities;
  private final int entityKeyCount;

  private ProjectSpec(
      String name,
      Map<String, TableSpec> tables,
      Map<String, EntitySpecV2> entities,
      int entityKeyCount) {
    this.name = name;
    this.tables = tables;
    this.entities = entities;
    this.entityKeyCount = entityKeyCount;
  }

  /** Precomputes what lookups need from the project's specs as the registry lists them. */
  public static ProjectSpec of(
      String name, Collection<FeatureTableSpec> tableSpecs, Collection<EntitySpecV2> entitySpecs) {
    Map<String, EntitySpecV2> entities = new LinkedHashMap<>();
    for (EntitySpecV2 entity : entitySpecs) {
      entities.put(entity.getName(), entity);
    }
    Map<List<String>, EntityKeySpec> keys = new HashMap<>();
    Map<String, TableSpec> tables = new LinkedHashMap<>();
    for (FeatureTableSpec spec : tableSpecs) {
      List<String> sortedNames = spec.getEntitiesList().stream().distinct().sorted().toList();
      EntityKeySpec key =
          keys.computeIfAbsent(
              sortedNames,
              names -> new EntityKeySpec(name, names, types(names, entities), keys.size()));
      tables.put(spec.getName(), table(spec, key, tables.size()));
    }
    return new ProjectSpec(name, Map.copyOf(tables), Map.copyOf(entities), keys.size());
  }

  private static ValueType.Enum[] types(List<String> names, Map<String, EntitySpecV2> entities) {
    ValueType.Enum[] types = new ValueType.Enum[names.size()];
    for (int i = 0; i < types.length; i++) {
      EntitySpecV2 entity = entities.get(names.get(i));
      // The registry refuses tables on undeclared entities; INVALID means "do not check the type".
      types[i] = entity == null ? ValueType.Enum.INVALID : entity.getValueType();
    }
    return types;
  }

  private static TableSpec table(FeatureTableSpec spec, EntityKeySpec key, int index) {
    String table = spec.getName();
    List<FeatureSpec> features = new ArrayList<>(spec.getFeaturesCount());
    Map<String, FeatureSpec> byName = new HashMap<>();
    for (FeatureSpecV2 feature : spec.getFeaturesList()) {
      if (byName.containsKey(feature.getName())) {
        continue;
      }
      FeatureSpec precomputed =
          new FeatureSpec(
              feature.getName(),
              table + ":" + feature.getName(),
              feature.getValueType(),
              OnlineStoreKeys.featureField(table, feature.getName()),
              PackedRows.featureId(table, feature.getName()),
              features.size());
      features.add(precomputed);
      byName.put(feature.getName(), precomputed);
    }
    return new TableSpec(
        spec,
        key,
        layout(spec),
        PackedRows.key(PackedRows.keyPrefix(table), key.keyPrefix()),
        OnlineStoreKeys.timestampField(table),
        nanos(spec.getMaxAge()),
        List.copyOf(features),
        Map.copyOf(byName),
        index);
  }

  /** The registry refuses unknown layouts; one that slipped in (an old registry) reads as hash. */
  private static OnlineLayout layout(FeatureTableSpec spec) {
    try {
      return OnlineLayout.of(spec.getLabelsMap());
    } catch (IllegalArgumentException unknown) {
      return OnlineLayout.HASH;
    }
  }

  private static long nanos(Duration maxAge) {
    try {
      return Math.addExact(
          Math.multiplyExact(maxAge.getSeconds(), 1_000_000_000L), maxAge.getNanos());
    } catch (ArithmeticException tooLong) {
      // Hundreds of years: as good as no limit, and must not wrap around to a negative age.
      return Long.MAX_VALUE;
    }
  }

  public String name() {
    return name;
  }

  /** The named table, or null. */
  public TableSpec table(String table) {
    return tables.get(table);
  }

  /** The named entity, or null. */
  public EntitySpecV2 entity(String entity) {
    return entities.get(entity);
  }

  public Collection<TableSpec> tables() {
    return tables.values();
  }

  public Collection<EntitySpecV2> entities() {
    return entities.values();
  }

  public int tableCount() {
    return tables.size();
  }

  /** How many distinct entity-name sets ({@link EntityKeySpec#index()}) the tables use. */
  public int entityKeyCount() {
    return entityKeyCount;
  }

  @Override
  public String toString() {
    return name + tables.keySet();
  }
}
