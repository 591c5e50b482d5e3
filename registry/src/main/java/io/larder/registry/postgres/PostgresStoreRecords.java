package io.larder.registry.postgres;

import io.larder.proto.core.StoreProto.Store;
import io.larder.registry.storeconfig.StoreRecords;
import java.time.Clock;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class PostgresStoreRecords implements StoreRecords {

  private final DatabaseClient database;
  private final Clock clock;

  PostgresStoreRecords(DatabaseClient database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  @Override
  public Mono<Store> find(String name) {
    return database
        .sql("select spec from store where name = :name")
        .bind("name", name)
        .map(row -> Rows.message(row, "spec", Store.parser()))
        .one();
  }

  @Override
  public Flux<Store> list() {
    return database
        .sql("select spec from store order by name")
        .map(row -> Rows.message(row, "spec", Store.parser()))
        .all();
  }

  @Override
  public Mono<Void> save(Store store) {
    return database
        .sql(
            """
            insert into store (name, spec, updated_at) values (:name, :spec, :updated)
            on conflict (name) do update set spec = excluded.spec, updated_at = excluded.updated_at
            """)
        .bind("name", store.getName())
        .bind("spec", Rows.bytes(store))
        .bind("updated", Rows.utc(clock.instant()))
        .then();
  }
}
