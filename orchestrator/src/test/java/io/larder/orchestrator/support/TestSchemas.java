package io.larder.orchestrator.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-test PostgreSQL schemas, dropped once their service is gone so runs leave nothing behind. */
public final class TestSchemas {

  private static final Logger log = LoggerFactory.getLogger(TestSchemas.class);

  private TestSchemas() {}

  /** A fresh schema name with this prefix. */
  public static String name(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Drops the schema and all in it; a failure is logged, not thrown (cleanup must not mask). */
  public static void drop(String schema) {
    if (!schema.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("not a test schema name: " + schema);
    }
    String url =
        "jdbc:postgresql://%s:%s/%s"
            .formatted(
                env("LARDER_PG_HOST", "127.0.0.1"),
                env("LARDER_PG_PORT", "5432"),
                env("LARDER_PG_DB", "larder"));
    try (Connection connection =
            DriverManager.getConnection(
                url, env("LARDER_PG_USER", "larder"), env("LARDER_PG_PASSWORD", "larder"));
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(30);
      statement.execute("SET client_min_messages = warning");
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      log.warn("could not drop test schema {}: {}", schema, e.getMessage());
    }
  }

  private static String env(String name, String fallback) {
    return System.getenv().getOrDefault(name, fallback);
  }
}
