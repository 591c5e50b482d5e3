package io.larder.registry.postgres;

import io.larder.registry.write.RegistryWrites;
import java.util.function.Supplier;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/** Serialises writes with a transaction-scoped advisory lock, released at commit or rollback. */
@Component
class PostgresRegistryWrites implements RegistryWrites {

  /** Any constant; only the registry takes this lock. */
  private static final long WRITE_LOCK = 0x4c41524445520001L;

  private final TransactionalOperator transactions;
  private final DatabaseClient database;

  PostgresRegistryWrites(TransactionalOperator transactions, DatabaseClient database) {
    this.transactions = transactions;
    this.database = database;
  }

  @Override
  public <T> Mono<T> inWriteTransaction(Supplier<Mono<T>> work) {
    Mono<T> locked =
        database
            .sql("select pg_advisory_xact_lock(:lock)")
            .bind("lock", WRITE_LOCK)
            .then()
            .then(Mono.defer(work));
    return transactions.transactional(locked);
  }
}
