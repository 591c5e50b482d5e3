package io.larder.registry.postgres;

import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableMeta;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.registry.Timestamps;
import io.larder.registry.featuretable.FeatureTableStore;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class PostgresFeatureTableStore implements FeatureTableStore {

  private static final String COLUMNS = "spec, revision, spec_hash, created_at, updated_at";

  private final DatabaseClient database;

  PostgresFeatureTableStore(DatabaseClient database) {
    this.database = database;
  }

  @Override
  public Mono<FeatureTable> find(String project, String name) {
    return database
        .sql("select " + COLUMNS + " from feature_table where project = :project and name = :name")
        .bind("project", project)
        .bind("name", name)
        .map(PostgresFeatureTableStore::table)
        .one();
  }

  @Override
  public Flux<FeatureTable> list(String project) {
    return database
        .sql("select " + COLUMNS + " from feature_table where project = :project order by name")
        .bind("project", project)
        .map(PostgresFeatureTableStore::table)
        .all();
  }

  @Override
  public Mono<Void> save(String project, FeatureTable table) {
    FeatureTableMeta meta = table.getMeta();
    OffsetDateTime created = Rows.utc(Timestamps.toInstant(meta.getCreatedTimestamp()));
    OffsetDateTime updated = Rows.utc(Timestamps.toInstant(meta.getLastUpdatedTimestamp()));
    Mono<Void> current =
        database
            .sql(
                """
                insert into feature_table
                  (project, name, spec, revision, spec_hash, created_at, updated_at)
                values (:project, :name, :spec, :revision, :hash, :created, :updated)
                on conflict (project, name) do update set
                  spec = excluded.spec, revision = excluded.revision,
                  spec_hash = excluded.spec_hash, updated_at = excluded.updated_at
                """)
            .bind("project", project)
            .bind("name", table.getSpec().getName())
            .bind("spec", Rows.bytes(table.getSpec()))
            .bind("revision", meta.getRevision())
            .bind("hash", meta.getHash())
            .bind("created", created)
            .bind("updated", updated)
            .then();
    Mono<Void> history =
        database
            .sql(
                """
                insert into feature_table_revision
                  (project, name, revision, spec, spec_hash, created_at, recorded_at)
                values (:project, :name, :revision, :spec, :hash, :created, :updated)
                """)
            .bind("project", project)
            .bind("name", table.getSpec().getName())
            .bind("revision", meta.getRevision())
            .bind("spec", Rows.bytes(table.getSpec()))
            .bind("hash", meta.getHash())
            .bind("created", created)
            .bind("updated", updated)
            .then();
    return current.then(history);
  }

  @Override
  public Mono<Boolean> delete(String project, String name) {
    return database
        .sql("delete from feature_table where project = :project and name = :name")
        .bind("project", project)
        .bind("name", name)
        .fetch()
        .rowsUpdated()
        .map(rows -> rows > 0);
  }

  @Override
  public Mono<Long> maxRevision(String project, String name) {
    return database
        .sql(
            "select coalesce(max(revision), 0) as revision from feature_table_revision"
                + " where project = :project and name = :name")
        .bind("project", project)
        .bind("name", name)
        .map(row -> row.get("revision", Long.class))
        .one();
  }

  @Override
  public Flux<FeatureTable> revisions(String project, String name) {
    return database
        .sql(
            "select spec, revision, spec_hash, created_at, recorded_at as updated_at"
                + " from feature_table_revision where project = :project and name = :name"
                + " order by revision")
        .bind("project", project)
        .bind("name", name)
        .map(PostgresFeatureTableStore::table)
        .all();
  }

  private static FeatureTable table(Readable row) {
    return FeatureTable.newBuilder()
        .setSpec(Rows.message(row, "spec", FeatureTableSpec.parser()))
        .setMeta(
            FeatureTableMeta.newBuilder()
                .setRevision(row.get("revision", Long.class))
                .setHash(row.get("spec_hash", String.class))
                .setCreatedTimestamp(Timestamps.of(Rows.instant(row, "created_at")))
                .setLastUpdatedTimestamp(Timestamps.of(Rows.instant(row, "updated_at"))))
        .build();
  }
}
