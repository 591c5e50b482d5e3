package io.larder.registry.change;

import io.larder.proto.larder.RegistryExtProto.Change;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The change feed's storage. */
public interface ChangeStore {

  /** Appends a change; the store assigns its sequence. Call inside a write transaction. */
  Mono<Void> append(Change change);

  /** Changes with a sequence above {@code sinceSequence}, oldest first. */
  Flux<Change> since(long sinceSequence, int limit);

  /** The newest sequence, 0 when there is none. */
  Mono<Long> latestSequence();
}
