package io.larder.jobs.historical;

import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A validated retrieval spec: the requested features grouped by table, and the tables grouped by
 * the entity-key set they share (one point-in-time pass per group).
 */
/** {@code outputColumns}: one per requested feature, in request order. */
record RetrievalPlan(
    Map<String, EntitySpecV2> entities,
    List<KeyGroup> groups,
    List<String> outputColumns,
    Instant knownAsOf,
    boolean knownAsOfEntityTime) {

  /** The requested features of one table, in request order. */
  record TableRequest(
      FeatureTableSpec table,
      List<FeatureSpecV2> features,
      long maxAgeMicros,
      FileFormatOverride format) {

    String outputColumn(FeatureSpecV2 feature) {
      return RetrievalPlan.outputColumn(table.getName(), feature.getName());
    }
  }

  /** Tables keyed by the same entity set (sorted names, so key order never matters). */
  record KeyGroup(List<String> keys, List<TableRequest> tables) {}

  /** The entity names every requested table needs, each once. */
  Set<String> entityNames() {
    Set<String> names = new TreeSet<>();
    groups.forEach(group -> names.addAll(group.keys()));
    return names;
  }

  static String outputColumn(String table, String feature) {
    return table + "__" + feature;
  }

  /** Checks everything the job needs that does not need the entity source's schema. */
  static RetrievalPlan of(HistoricalRetrievalSpec spec) {
    if (spec.getOutputPath().isBlank()) {
      throw new IllegalArgumentException("output_path is required");
    }
    if (spec.getEntitySource().getPath().isBlank()) {
      throw new IllegalArgumentException("entity_source.path is required");
    }
    return forEntityRows(spec);
  }

  /** As {@link #of}, for entity rows given as a dataset: entity_source and output_path unused. */
  static RetrievalPlan forEntityRows(HistoricalRetrievalSpec spec) {
    if (spec.hasKnownAsOf() && spec.getKnownAsOfEntityTime()) {
      throw new IllegalArgumentException(
          "known_as_of and known_as_of_entity_time are exclusive: set at most one");
    }
    if (spec.getFeaturesCount() == 0) {
      throw new IllegalArgumentException("features: at least one \"table:feature\" is required");
    }

    Map<String, FeatureTableSpec> tables = new LinkedHashMap<>();
    for (FeatureTableSpec table : spec.getTablesList()) {
      if (tables.put(table.getName(), table) != null) {
        throw new IllegalArgumentException("tables: \"" + table.getName() + "\" given twice");
      }
    }
    Map<String, EntitySpecV2> entities = new LinkedHashMap<>();
    spec.getEntitiesList().forEach(entity -> entities.put(entity.getName(), entity));

    // Request order is kept: tables in order of their first feature, features as listed.
    Map<String, List<FeatureSpecV2>> requested = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    List<String> outputColumns = new ArrayList<>();
    for (String ref : spec.getFeaturesList()) {
      String[] parts = ref.split(":", -1);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new IllegalArgumentException(
            "features: \"" + ref + "\" is not a \"table:feature\" reference");
      }
      if (!seen.add(ref)) {
        throw new IllegalArgumentException("features: \"" + ref + "\" requested twice");
      }
      FeatureTableSpec table = tables.get(parts[0]);
      if (table == null) {
        throw new IllegalArgumentException(
            "features: \"" + ref + "\" names table \"" + parts[0] + "\", which is not in tables");
      }
      FeatureSpecV2 feature =
          table.getFeaturesList().stream()
              .filter(candidate -> candidate.getName().equals(parts[1]))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "features: \""
                              + ref
                              + "\": table \""
                              + parts[0]
                              + "\" has no feature \""
                              + parts[1]
                              + "\""));
      requested.computeIfAbsent(table.getName(), name -> new ArrayList<>()).add(feature);
      outputColumns.add(outputColumn(table.getName(), feature.getName()));
    }

    Map<List<String>, List<TableRequest>> byKeys = new LinkedHashMap<>();
    for (Map.Entry<String, List<FeatureSpecV2>> entry : requested.entrySet()) {
      FeatureTableSpec table = tables.get(entry.getKey());
      if (table.getEntitiesCount() == 0) {
        throw new IllegalArgumentException("tables: \"" + table.getName() + "\" has no entities");
      }
      for (String entity : table.getEntitiesList()) {
        if (!entities.containsKey(entity)) {
          throw new IllegalArgumentException(
              "entities: table \""
                  + table.getName()
                  + "\" is keyed by \""
                  + entity
                  + "\", which has no entity spec");
        }
      }
      List<String> keys = List.copyOf(new TreeSet<>(table.getEntitiesList()));
      long maxAgeMicros =
          table.hasMaxAge()
              ? Math.addExact(
                  Math.multiplyExact(table.getMaxAge().getSeconds(), 1_000_000L),
                  table.getMaxAge().getNanos() / 1_000L)
              : 0L;
      FileFormatOverride format =
          spec.getTableFileFormatsMap()
              .getOrDefault(table.getName(), FileFormatOverride.FILE_FORMAT_FROM_SOURCE);
      byKeys
          .computeIfAbsent(keys, k -> new ArrayList<>())
          .add(new TableRequest(table, List.copyOf(entry.getValue()), maxAgeMicros, format));
    }
    List<KeyGroup> groups = new ArrayList<>();
    byKeys.forEach((keys, requests) -> groups.add(new KeyGroup(keys, List.copyOf(requests))));

    Instant knownAsOf =
        spec.hasKnownAsOf()
            ? Instant.ofEpochSecond(
                spec.getKnownAsOf().getSeconds(), spec.getKnownAsOf().getNanos())
            : null;
    return new RetrievalPlan(
        Map.copyOf(entities),
        List.copyOf(groups),
        List.copyOf(outputColumns),
        knownAsOf,
        spec.getKnownAsOfEntityTime());
  }

  /** Checks the plan against the entity rows' columns; {@code entitySource} names them. */
  void checkEntityColumns(List<String> columns, String entitySource) {
    Set<String> present = new HashSet<>(columns);
    if (!present.contains(HistoricalRetrievalJob.EVENT_TIMESTAMP)) {
      throw new IllegalArgumentException(
          entitySource + ": no \"" + HistoricalRetrievalJob.EVENT_TIMESTAMP + "\" column");
    }
    for (String entity : entityNames()) {
      if (!present.contains(entity)) {
        throw new IllegalArgumentException(
            entitySource + ": no column for entity \"" + entity + "\"");
      }
    }
    for (String output : outputColumns()) {
      if (present.contains(output)) {
        throw new IllegalArgumentException(
            entitySource + ": column \"" + output + "\" clashes with a requested feature's output");
      }
    }
  }
}
