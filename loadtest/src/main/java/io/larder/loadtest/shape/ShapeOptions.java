package io.larder.loadtest.shape;

import io.larder.onlinestore.OnlineLayout;
import java.util.Map;
import picocli.CommandLine.Option;

/** Command-line options naming the benchmark data; every tool takes the same ones. */
public final class ShapeOptions {

  @Option(
      names = "--project",
      defaultValue = "loadtest",
      description = "Registry project and Redis key namespace (default: ${DEFAULT-VALUE}).")
  String project;

  @Option(
      names = "--entity-name",
      defaultValue = "entity_id",
      description = "The INT64 entity keying every table (default: ${DEFAULT-VALUE}).")
  String entityName;

  @Option(
      names = "--entities",
      defaultValue = "1000000",
      description = "Entity ids 0..N-1 (default: ${DEFAULT-VALUE}).")
  long entities;

  @Option(
      names = "--tables",
      defaultValue = "5",
      description = "Feature tables (default: ${DEFAULT-VALUE}).")
  int tables;

  @Option(
      names = "--features-per-table",
      defaultValue = "10",
      description = "Features in each table (default: ${DEFAULT-VALUE}).")
  int featuresPerTable;

  @Option(
      names = "--layout",
      defaultValue = "hash",
      description = "Online layout of every table: hash or packed (default: ${DEFAULT-VALUE}).")
  String layout;

  public BenchmarkShape shape() {
    return new BenchmarkShape(
        project,
        entityName,
        entities,
        tables,
        featuresPerTable,
        OnlineLayout.of(Map.of(OnlineLayout.LABEL, layout)));
  }
}
