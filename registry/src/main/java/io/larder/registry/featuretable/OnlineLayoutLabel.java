package io.larder.registry.featuretable;

import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.registry.RegistryException;
import java.util.List;

/**
 * The table label {@code larder.io/online-layout}: how ingestion writes and the gateway reads the
 * table's rows in Redis, {@code hash} (Feast 0.9's layout, the default) or {@code packed} (one
 * string per entity key and table). Rows already stored in one layout are invisible in the other,
 * so an applied table keeps its layout.
 */
final class OnlineLayoutLabel {

  static final String KEY = "larder.io/online-layout";
  static final String HASH = "hash";
  static final List<String> VALUES = List.of(HASH, "packed");

  private static final String FIELD = "table_spec.labels[" + KEY + "]";

  private OnlineLayoutLabel() {}

  /** The table's layout; refuses a value that names none. */
  static String of(FeatureTableSpec spec) {
    String value = spec.getLabelsMap().getOrDefault(KEY, HASH);
    if (!VALUES.contains(value)) {
      throw RegistryException.invalid(
          "%s: must be one of %s, got '%s'", FIELD, String.join(", ", VALUES), value);
    }
    return value;
  }

  /** A layout named in a request field; refuses a value that names none. */
  static String named(String field, String value) {
    if (!VALUES.contains(value)) {
      throw RegistryException.invalid(
          "%s: must be one of %s, got '%s'", field, String.join(", ", VALUES), value);
    }
    return value;
  }

  /** Refuses a new revision that changes the layout of a stored table. */
  static void checkUnchanged(FeatureTableSpec existing, FeatureTableSpec next) {
    String stored = of(existing);
    String wanted = of(next);
    if (!stored.equals(wanted)) {
      throw RegistryException.failedPrecondition(
          "%s: table '%s' keeps its online rows in the %s layout, which the gateway could no"
              + " longer read as %s; keep '%s' and move the rows with `larder feature-tables"
              + " migrate-layout %s --layout %s` (the job service's MigrateOnlineLayout)",
          FIELD, next.getName(), stored, wanted, stored, next.getName(), wanted);
    }
  }
}
