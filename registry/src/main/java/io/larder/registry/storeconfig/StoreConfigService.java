package io.larder.registry.storeconfig;

import io.larder.proto.core.CoreServiceProto.UpdateStoreResponse;
import io.larder.proto.core.StoreProto.Store;
import io.larder.registry.Names;
import io.larder.registry.RegistryException;
import io.larder.registry.write.RegistryWrites;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Feast 0.9's legacy store records (ListStores / UpdateStore), kept for its serving processes. */
@Service
public class StoreConfigService {

  private final StoreRecords stores;
  private final RegistryWrites writes;

  StoreConfigService(StoreRecords stores, RegistryWrites writes) {
    this.stores = stores;
    this.writes = writes;
  }

  /** One store by name, or all of them when {@code name} is empty. */
  public Flux<Store> list(String name) {
    if (name == null || name.isEmpty()) {
      return stores.list();
    }
    return stores
        .find(name)
        .switchIfEmpty(Mono.error(RegistryException.notFound("store '%s' does not exist", name)))
        .flux();
  }

  public Mono<UpdateStoreResponse> update(Store store) {
    return Mono.fromRunnable(() -> validate(store))
        .then(
            writes.inWriteTransaction(
                () ->
                    stores
                        .find(store.getName())
                        .filter(store::equals)
                        .map(unchanged -> response(store, UpdateStoreResponse.Status.NO_CHANGE))
                        .switchIfEmpty(
                            Mono.defer(
                                () ->
                                    stores
                                        .save(store)
                                        .thenReturn(
                                            response(
                                                store, UpdateStoreResponse.Status.UPDATED))))));
  }

  private static UpdateStoreResponse response(Store store, UpdateStoreResponse.Status status) {
    return UpdateStoreResponse.newBuilder().setStore(store).setStatus(status).build();
  }

  private static void validate(Store store) {
    Names.checkProject("store.name", store.getName());
    if (store.getType() == Store.StoreType.INVALID
        || store.getType() == Store.StoreType.UNRECOGNIZED) {
      throw RegistryException.invalid("store.type: must be REDIS or REDIS_CLUSTER");
    }
  }
}
