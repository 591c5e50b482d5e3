package io.larder.registry.project;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Where projects are kept. */
public interface ProjectStore {

  Mono<ProjectRecord> find(String name);

  /** Emits true when the project was created, false when it already existed. */
  Mono<Boolean> insertIfAbsent(String name);

  Mono<Void> archive(String name);

  /** Names of the projects that are not archived, sorted. */
  Flux<String> listActive();
}
