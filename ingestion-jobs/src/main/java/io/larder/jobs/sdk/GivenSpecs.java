package io.larder.jobs.sdk;

import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Specs the caller gave, for applications without a registry: every project sees the same. */
final class GivenSpecs implements FeatureSpecs {

  private final Map<String, FeatureTableSpec> tables = new LinkedHashMap<>();
  private final Map<String, EntitySpecV2> entities = new LinkedHashMap<>();

  GivenSpecs(Collection<FeatureTableSpec> tables, Collection<EntitySpecV2> entities) {
    for (FeatureTableSpec table : tables) {
      if (this.tables.put(table.getName(), table) != null) {
        throw new IllegalArgumentException("feature table '" + table.getName() + "' given twice");
      }
    }
    for (EntitySpecV2 entity : entities) {
      if (this.entities.put(entity.getName(), entity) != null) {
        throw new IllegalArgumentException("entity '" + entity.getName() + "' given twice");
      }
    }
  }

  @Override
  public FeatureTableSpec table(String project, String name) {
    FeatureTableSpec table = tables.get(name);
    if (table == null) {
      throw new SpecNotFoundException(
          "feature table '%s' is not among the given specs (tables: %s)"
              .formatted(name, String.join(", ", tables.keySet())));
    }
    return table;
  }

  @Override
  public Map<String, EntitySpecV2> entities(String project) {
    return Map.copyOf(entities);
  }

  @Override
  public void close() {}
}
