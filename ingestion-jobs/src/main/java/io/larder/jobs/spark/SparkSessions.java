package io.larder.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession every Larder job runs in. */
public final class SparkSessions {

  public static final String DEFAULT_MASTER = "local[*]";

  private SparkSessions() {}

  /**
   * The settings a job starts from; {@code overrides} (e.g. from {@code --conf k=v}) win.
   *
   * <p>The driver binds loopback unless told otherwise, so a local run never needs a routable
   * address; the UI is off because jobs are headless; timestamps are UTC so event times never shift
   * with the host's zone.
   */
  public static Map<String, String> settings(
      String appName, String master, Map<String, String> overrides) {
    String driverHost = System.getenv().getOrDefault("SPARK_LOCAL_IP", "127.0.0.1");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.app.name", appName);
    settings.put("spark.master", master == null || master.isBlank() ? DEFAULT_MASTER : master);
    settings.put("spark.driver.host", driverHost);
    settings.put("spark.driver.bindAddress", driverHost);
    settings.put("spark.ui.enabled", "false");
    settings.put("spark.sql.session.timeZone", "UTC");
    settings.putAll(overrides);
    return settings;
  }

  public static SparkSession create(String appName, String master, Map<String, String> overrides) {
    SparkSession.Builder builder = SparkSession.builder();
    settings(appName, master, overrides).forEach(builder::config);
    return builder.getOrCreate();
  }
}
