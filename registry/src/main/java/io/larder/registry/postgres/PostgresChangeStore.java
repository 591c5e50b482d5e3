package io.larder.registry.postgres;

import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.registry.Timestamps;
import io.larder.registry.change.ChangeStore;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class PostgresChangeStore implements ChangeStore {

  private final DatabaseClient database;

  PostgresChangeStore(DatabaseClient database) {
    this.database = database;
  }

  @Override
  public Mono<Void> append(Change change) {
    return database
        .sql(
            """
            insert into change (project, kind, name, action, revision, changed_at)
            values (:project, :kind, :name, :action, :revision, :changedAt)
            """)
        .bind("project", change.getProject())
        .bind("kind", (short) change.getKindValue())
        .bind("name", change.getName())
        .bind("action", (short) change.getActionValue())
        .bind("revision", change.getRevision())
        .bind("changedAt", Rows.utc(Timestamps.toInstant(change.getChangedAt())))
        .then();
  }

  @Override
  public Flux<Change> since(long sinceSequence, int limit) {
    return database
        .sql(
            "select sequence, project, kind, name, action, revision, changed_at from change"
                + " where sequence > :since order by sequence limit :limit")
        .bind("since", sinceSequence)
        .bind("limit", limit)
        .map(
            row ->
                Change.newBuilder()
                    .setSequence(row.get("sequence", Long.class))
                    .setProject(row.get("project", String.class))
                    .setKindValue(row.get("kind", Short.class))
                    .setName(row.get("name", String.class))
                    .setActionValue(row.get("action", Short.class))
                    .setRevision(row.get("revision", Long.class))
                    .setChangedAt(Timestamps.of(Rows.instant(row, "changed_at")))
                    .build())
        .all();
  }

  @Override
  public Mono<Long> latestSequence() {
    return database
        .sql("select coalesce(max(sequence), 0) as latest from change")
        .map(row -> row.get("latest", Long.class))
        .one();
  }
}
