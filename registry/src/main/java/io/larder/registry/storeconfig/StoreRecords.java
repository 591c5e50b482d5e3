package io.larder.registry.storeconfig;

import io.larder.proto.core.StoreProto.Store;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Where the legacy Feast store records are kept. */
public interface StoreRecords {

  Mono<Store> find(String name);

  /** All stores, sorted by name. */
  Flux<Store> list();

  Mono<Void> save(Store store);
}
