package io.larder.registry.postgres;

import io.larder.registry.project.ProjectRecord;
import io.larder.registry.project.ProjectStore;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class PostgresProjectStore implements ProjectStore {

  private final DatabaseClient database;

  PostgresProjectStore(DatabaseClient database) {
    this.database = database;
  }

  @Override
  public Mono<ProjectRecord> find(String name) {
    return database
        .sql("select name, archived from project where name = :name")
        .bind("name", name)
        .map(
            row ->
                new ProjectRecord(
                    row.get("name", String.class), row.get("archived", Boolean.class)))
        .one();
  }

  @Override
  public Mono<Boolean> insertIfAbsent(String name) {
    return database
        .sql("insert into project (name) values (:name) on conflict (name) do nothing")
        .bind("name", name)
        .fetch()
        .rowsUpdated()
        .map(rows -> rows > 0);
  }

  @Override
  public Mono<Void> archive(String name) {
    return database
        .sql("update project set archived = true where name = :name")
        .bind("name", name)
        .then();
  }

  @Override
  public Flux<String> listActive() {
    return database
        .sql("select name from project where not archived order by name")
        .map(row -> row.get("name", String.class))
        .all();
  }
}
