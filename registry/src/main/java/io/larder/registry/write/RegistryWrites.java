package io.larder.registry.write;

import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Runs registry writes in one transaction each, one at a time across all registry instances.
 *
 * <p>Writes are rare and small, so serialising them costs nothing and buys two guarantees: two
 * applies of one table can never interleave (no lost update, no duplicate revision), and the change
 * feed's sequence order is commit order, so a poller that remembers the last sequence it saw never
 * skips a change committed late.
 */
public interface RegistryWrites {

  <T> Mono<T> inWriteTransaction(Supplier<Mono<T>> work);
}
