package io.larder.jobs.sdk;

import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.util.Map;

/** Where the SDK finds feature table and entity specs: the registry, or specs the caller gave. */
interface FeatureSpecs extends AutoCloseable {

  /**
   * The spec of feature table {@code name}.
   *
   * @throws SpecNotFoundException when {@code project} has no such table
   */
  FeatureTableSpec table(String project, String name);

  /** Every entity spec of {@code project}, by entity name. */
  Map<String, EntitySpecV2> entities(String project);

  @Override
  void close();
}
