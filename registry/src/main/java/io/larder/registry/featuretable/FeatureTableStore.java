package io.larder.registry.featuretable;

import io.larder.proto.core.FeatureTableProto.FeatureTable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Where feature tables and every revision of their specs are kept. */
public interface FeatureTableStore {

  Mono<FeatureTable> find(String project, String name);

  /** The project's tables, sorted by name. */
  Flux<FeatureTable> list(String project);

  /**
   * Stores the table as current and appends its spec to the history. Inside a write transaction.
   */
  Mono<Void> save(String project, FeatureTable table);

  /** Emits true when a current table was removed; its history stays. */
  Mono<Boolean> delete(String project, String name);

  /** The highest revision the table ever had, 0 if none. */
  Mono<Long> maxRevision(String project, String name);

  /** Every spec the table had, oldest first. */
  Flux<FeatureTable> revisions(String project, String name);
}
