package io.larder.loadtest.gatling;

import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import java.time.Duration;
import java.util.Properties;

/**
 * A simulation's parameters, from system properties ({@code mvn ... gatling:test -Drate=200}):
 *
 * <ul>
 *   <li>{@code baseUrl} gateway HTTP base URL (http://127.0.0.1:8081)
 *   <li>{@code rate} requests (new virtual users) per second (100), {@code duration} seconds (30)
 *   <li>{@code rows} entity rows per request (10), {@code features} per request (0 = all)
 *   <li>the data's shape, as the generator got it: {@code project} (loadtest), {@code entities}
 *       (1000000), {@code tables} (5), {@code featuresPerTable} (10), {@code entityName}
 *       (entity_id)
 *   <li>{@code maxFailedPercent} the run's assertion (1.0)
 * </ul>
 */
record SimulationParams(
    String baseUrl,
    double rate,
    Duration duration,
    BenchmarkShape shape,
    int rows,
    int features,
    double maxFailedPercent) {

  static SimulationParams fromSystemProperties() {
    return from(System.getProperties());
  }

  static SimulationParams from(Properties p) {
    BenchmarkShape shape =
        new BenchmarkShape(
            p.getProperty("project", "loadtest"),
            p.getProperty("entityName", "entity_id"),
            Long.parseLong(
                p.getProperty("entities", Long.toString(BenchmarkShape.DEFAULT_ENTITIES))),
            Integer.parseInt(
                p.getProperty("tables", Integer.toString(BenchmarkShape.DEFAULT_TABLES))),
            Integer.parseInt(
                p.getProperty(
                    "featuresPerTable",
                    Integer.toString(BenchmarkShape.DEFAULT_FEATURES_PER_TABLE))));
    int features = Integer.parseInt(p.getProperty("features", "0"));
    return new SimulationParams(
        stripTrailingSlash(p.getProperty("baseUrl", "http://127.0.0.1:8081")),
        Double.parseDouble(p.getProperty("rate", "100")),
        Duration.ofMillis(Math.round(Double.parseDouble(p.getProperty("duration", "30")) * 1000)),
        shape,
        Integer.parseInt(p.getProperty("rows", "10")),
        features <= 0 ? shape.totalFeatures() : features,
        Double.parseDouble(p.getProperty("maxFailedPercent", "1.0")));
  }

  OnlineRequests requests() {
    return new OnlineRequests(shape, rows, features);
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
