package io.larder.registry.entity;

import io.larder.proto.core.EntityProto.Entity;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Where entities are kept. */
public interface EntityStore {

  Mono<Entity> find(String project, String name);

  /** The project's entities, sorted by name. */
  Flux<Entity> list(String project);

  /** Creates or replaces the entity. Call inside a write transaction. */
  Mono<Void> save(String project, Entity entity);

  /** Removes the entity; false when there was none. */
  Mono<Boolean> delete(String project, String name);
}
