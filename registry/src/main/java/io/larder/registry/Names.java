package io.larder.registry;

import java.util.Set;
import java.util.regex.Pattern;

/** The naming rules of the registry (documented in README.md). */
public final class Names {

  public static final String DEFAULT_PROJECT = "default";

  private static final int MAX_LENGTH = 64;
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern PROJECT = Pattern.compile("[a-z_][a-z0-9_-]*");

  /**
   * Columns the Spark jobs add to their data sets; a feature or entity of that name would clash.
   */
  public static final Set<String> RESERVED =
      Set.of("event_timestamp", "created_timestamp", "datetime", "ingestion_id", "job_id");

  private Names() {}

  /** An empty project means Feast's default project. */
  public static String project(String requested) {
    return requested == null || requested.isEmpty() ? DEFAULT_PROJECT : requested;
  }

  public static void checkProject(String field, String name) {
    check(field, name, PROJECT, "[a-z_][a-z0-9_-]*");
  }

  /** Entity, feature and feature-table names. */
  public static void checkName(String field, String name) {
    check(field, name, NAME, "[a-z_][a-z0-9_]*");
  }

  /** Entity and feature names, which become columns of the jobs' data sets. */
  public static void checkColumnName(String field, String name) {
    checkName(field, name);
    if (RESERVED.contains(name)) {
      throw RegistryException.invalid("%s: '%s' is a reserved name %s", field, name, RESERVED);
    }
  }

  private static void check(String field, String name, Pattern pattern, String rule) {
    if (name == null || name.isEmpty()) {
      throw RegistryException.invalid("%s: must not be empty", field);
    }
    if (name.length() > MAX_LENGTH || !pattern.matcher(name).matches()) {
      throw RegistryException.invalid(
          "%s: '%s' must match %s and be at most %d characters", field, name, rule, MAX_LENGTH);
    }
  }
}
