package io.larder.registry.postgres;

import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntityMeta;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.registry.Timestamps;
import io.larder.registry.entity.EntityStore;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class PostgresEntityStore implements EntityStore {

  private final DatabaseClient database;

  PostgresEntityStore(DatabaseClient database) {
    this.database = database;
  }

  @Override
  public Mono<Entity> find(String project, String name) {
    return database
        .sql(
            "select spec, created_at, updated_at from entity where project = :project and name = :name")
        .bind("project", project)
        .bind("name", name)
        .map(PostgresEntityStore::entity)
        .one();
  }

  @Override
  public Flux<Entity> list(String project) {
    return database
        .sql(
            "select spec, created_at, updated_at from entity where project = :project order by name")
        .bind("project", project)
        .map(PostgresEntityStore::entity)
        .all();
  }

  @Override
  public Mono<Void> save(String project, Entity entity) {
    return database
        .sql(
            """
            insert into entity (project, name, spec, created_at, updated_at)
            values (:project, :name, :spec, :created, :updated)
            on conflict (project, name)
            do update set spec = excluded.spec, updated_at = excluded.updated_at
            """)
        .bind("project", project)
        .bind("name", entity.getSpec().getName())
        .bind("spec", Rows.bytes(entity.getSpec()))
        .bind("created", Rows.utc(Timestamps.toInstant(entity.getMeta().getCreatedTimestamp())))
        .bind("updated", Rows.utc(Timestamps.toInstant(entity.getMeta().getLastUpdatedTimestamp())))
        .then();
  }

  @Override
  public Mono<Boolean> delete(String project, String name) {
    return database
        .sql("delete from entity where project = :project and name = :name")
        .bind("project", project)
        .bind("name", name)
        .fetch()
        .rowsUpdated()
        .map(rows -> rows > 0);
  }

  private static Entity entity(Readable row) {
    return Entity.newBuilder()
        .setSpec(Rows.message(row, "spec", EntitySpecV2.parser()))
        .setMeta(
            EntityMeta.newBuilder()
                .setCreatedTimestamp(Timestamps.of(Rows.instant(row, "created_at")))
                .setLastUpdatedTimestamp(Timestamps.of(Rows.instant(row, "updated_at"))))
        .build();
  }
}
