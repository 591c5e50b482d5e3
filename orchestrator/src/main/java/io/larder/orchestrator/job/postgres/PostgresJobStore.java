package io.larder.orchestrator.job.postgres;

import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.job.JobViews;
import io.larder.orchestrator.job.StaleJobException;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobServiceExtProto.StatusChange;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

@Repository
class PostgresJobStore implements JobStore {

  private static final String ACTIVE = "('JOB_STATUS_PENDING', 'JOB_STATUS_RUNNING')";
  private static final int DEFAULT_LIMIT = 1000;

  private final DatabaseClient database;
  private final TransactionalOperator transactions;

  PostgresJobStore(DatabaseClient database, TransactionalOperator transactions) {
    this.database = database;
    this.transactions = transactions;
  }

  @Override
  public Mono<JobRow> insert(JobRow job, String reason) {
    Mono<Void> row =
        bindAll(
                database.sql(
                    """
                    insert into job (id, type, status, project, table_name, tables, spec_json,
                      spec_hash, output_location, log_uri, spark_master, application_id, pid, host,
                      attempts, deaths, error, stop_reason, stop_status, progress_json, ready,
                      scheduled, kind, window_start, window_end, created_at, started_at,
                      ended_at, next_attempt_at, version)
                    values (:id, :type, :status, :project, :table_name, :tables, :spec_json,
                      :spec_hash, :output_location, :log_uri, :spark_master, :application_id, :pid,
                      :host, :attempts, :deaths, :error, :stop_reason, :stop_status,
                      :progress_json, :ready, :scheduled, :kind, :window_start, :window_end, :created_at,
                      :started_at, :ended_at, :next_attempt_at, 0)
                    """),
                job)
            .then();
    return transactions
        .transactional(row.then(recordStatus(job.id(), job.status(), job.createdAt(), reason)))
        .thenReturn(job.toBuilder().version(0).build());
  }

  @Override
  public Mono<JobRow> find(String id) {
    return database
        .sql("select * from job where id = :id")
        .bind("id", id)
        .map(PostgresJobStore::row)
        .one();
  }

  @Override
  public Flux<JobRow> list(JobQuery query) {
    StringBuilder sql = new StringBuilder("select * from job where true");
    if (!query.includeTerminated()) {
      sql.append(" and status in ").append(ACTIVE);
    }
    if (!query.project().isEmpty()) {
      sql.append(" and project = :project");
    }
    if (!query.table().isEmpty()) {
      sql.append(
          " and (table_name = :table or position(',' || :table || ',' in ',' || tables || ',') > 0)");
    }
    if (query.type() != JobType.INVALID_JOB) {
      sql.append(" and type = :type");
    }
    sql.append(" order by created_at desc, queue_seq desc limit :limit");
    GenericExecuteSpec spec = database.sql(sql.toString());
    if (!query.project().isEmpty()) {
      spec = spec.bind("project", query.project());
    }
    if (!query.table().isEmpty()) {
      spec = spec.bind("table", query.table());
    }
    if (query.type() != JobType.INVALID_JOB) {
      spec = spec.bind("type", query.type().name());
    }
    return spec.bind("limit", query.limit() <= 0 ? DEFAULT_LIMIT : query.limit())
        .map(PostgresJobStore::row)
        .all();
  }

  @Override
  public Flux<JobRow> active() {
    return database
        .sql("select * from job where status in " + ACTIVE + " order by queue_seq")
        .map(PostgresJobStore::row)
        .all();
  }

  @Override
  public Mono<JobRow> latest(String project, String table, JobType type) {
    return database
        .sql(
            """
            select * from job where project = :project and table_name = :table and type = :type
            order by queue_seq desc limit 1
            """)
        .bind("project", project)
        .bind("table", table)
        .bind("type", type.name())
        .map(PostgresJobStore::row)
        .one();
  }

  @Override
  public Mono<JobRow> modify(String id, UnaryOperator<JobRow> change, String reason) {
    return Mono.defer(
            () ->
                find(id)
                    .switchIfEmpty(Mono.error(new IllegalStateException("no job " + id)))
                    .flatMap(
                        current -> {
                          JobRow next = change.apply(current);
                          if (next.equals(current)) {
                            return Mono.just(current);
                          }
                          return update(current, next, reason);
                        }))
        .retryWhen(
            Retry.backoff(20, Duration.ofMillis(5))
                .filter(StaleJobException.class::isInstance)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
  }

  private Mono<JobRow> update(JobRow current, JobRow next, String reason) {
    GenericExecuteSpec sql =
        bindAll(
            database.sql(
                """
                update job set type = :type, status = :status, project = :project,
                  table_name = :table_name, created_at = :created_at,
                  tables = :tables, spec_json = :spec_json, spec_hash = :spec_hash,
                  output_location = :output_location, log_uri = :log_uri,
                  spark_master = :spark_master, application_id = :application_id, pid = :pid,
                  host = :host, attempts = :attempts, deaths = :deaths, error = :error,
                  stop_reason = :stop_reason, stop_status = :stop_status,
                  progress_json = :progress_json, ready = :ready, scheduled = :scheduled, kind = :kind,
                  window_start = :window_start, window_end = :window_end,
                  started_at = :started_at, ended_at = :ended_at,
                  next_attempt_at = :next_attempt_at, version = version + 1
                where id = :id and version = :version
                """),
            next);
    Mono<JobRow> written =
        sql.bind("version", current.version())
            .fetch()
            .rowsUpdated()
            .flatMap(
                count -> {
                  if (count == 0) {
                    return Mono.error(new StaleJobException(current.id()));
                  }
                  JobRow stored = next.toBuilder().version(current.version() + 1).build();
                  if (next.status() == current.status()) {
                    return Mono.just(stored);
                  }
                  return recordStatus(next.id(), next.status(), Instant.now(), reason)
                      .thenReturn(stored);
                });
    return transactions.transactional(written);
  }

  private Mono<Void> recordStatus(String id, JobStatus status, Instant at, String reason) {
    return database
        .sql(
            "insert into job_status_change (job_id, status, at, reason)"
                + " values (:id, :status, :at, :reason)")
        .bind("id", id)
        .bind("status", status.name())
        .bind("at", utc(at))
        .bind("reason", reason == null ? "" : reason)
        .then();
  }

  @Override
  public Flux<StatusChange> history(String id) {
    return database
        .sql("select status, at, reason from job_status_change where job_id = :id order by seq")
        .bind("id", id)
        .map(
            row ->
                StatusChange.newBuilder()
                    .setStatus(JobStatus.valueOf(row.get("status", String.class)))
                    .setAt(JobViews.timestamp(instant(row, "at")))
                    .setReason(row.get("reason", String.class))
                    .build())
        .all();
  }

  @Override
  public Mono<String> state(String key) {
    return database
        .sql("select value from orchestrator_state where key = :key")
        .bind("key", key)
        .map(row -> row.get("value", String.class))
        .one();
  }

  @Override
  public Mono<Void> putState(String key, String value) {
    return database
        .sql(
            "insert into orchestrator_state (key, value) values (:key, :value)"
                + " on conflict (key) do update set value = excluded.value")
        .bind("key", key)
        .bind("value", value)
        .then();
  }

  private static GenericExecuteSpec bindAll(GenericExecuteSpec sql, JobRow job) {
    GenericExecuteSpec spec =
        sql.bind("id", job.id())
            .bind("type", job.type().name())
            .bind("status", job.status().name())
            .bind("project", job.project())
            .bind("table_name", job.tableName())
            .bind("tables", String.join(",", job.tables()))
            .bind("spec_json", job.specJson())
            .bind("spec_hash", job.specHash())
            .bind("output_location", job.outputLocation())
            .bind("log_uri", job.logUri())
            .bind("spark_master", job.sparkMaster())
            .bind("application_id", job.applicationId())
            .bind("pid", job.pid())
            .bind("host", job.host())
            .bind("attempts", job.attempts())
            .bind("deaths", String.join(",", job.deaths().stream().map(String::valueOf).toList()))
            .bind("error", job.error())
            .bind("stop_reason", job.stopReason())
            .bind("stop_status", job.stopRequested() ? job.stopStatus().name() : "")
            .bind("progress_json", job.progressJson())
            .bind("ready", job.ready())
            .bind("scheduled", job.scheduled())
            .bind("kind", job.kind());
    spec = bindTime(spec, "window_start", job.windowStart());
    spec = bindTime(spec, "window_end", job.windowEnd());
    spec = bindTime(spec, "created_at", job.createdAt());
    spec = bindTime(spec, "started_at", job.startedAt());
    spec = bindTime(spec, "ended_at", job.endedAt());
    return bindTime(spec, "next_attempt_at", job.nextAttemptAt());
  }

  private static GenericExecuteSpec bindTime(GenericExecuteSpec spec, String name, Instant at) {
    return at == null ? spec.bindNull(name, OffsetDateTime.class) : spec.bind(name, utc(at));
  }

  private static JobRow row(Readable row) {
    String stopStatus = row.get("stop_status", String.class);
    return new JobRow(
        row.get("id", String.class),
        JobType.valueOf(row.get("type", String.class)),
        JobStatus.valueOf(row.get("status", String.class)),
        row.get("project", String.class),
        row.get("table_name", String.class),
        split(row.get("tables", String.class)),
        row.get("spec_json", String.class),
        row.get("spec_hash", String.class),
        row.get("output_location", String.class),
        row.get("log_uri", String.class),
        row.get("spark_master", String.class),
        row.get("application_id", String.class),
        row.get("pid", Long.class),
        row.get("host", String.class),
        row.get("attempts", Integer.class),
        split(row.get("deaths", String.class)).stream().map(Long::valueOf).toList(),
        row.get("error", String.class),
        row.get("stop_reason", String.class),
        stopStatus.isEmpty() ? JobStatus.JOB_STATUS_INVALID : JobStatus.valueOf(stopStatus),
        row.get("progress_json", String.class),
        row.get("ready", Boolean.class),
        row.get("scheduled", Boolean.class),
        row.get("kind", String.class),
        instant(row, "window_start"),
        instant(row, "window_end"),
        instant(row, "created_at"),
        instant(row, "started_at"),
        instant(row, "ended_at"),
        instant(row, "next_attempt_at"),
        row.get("version", Long.class));
  }

  private static List<String> split(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
  }

  private static Instant instant(Readable row, String column) {
    OffsetDateTime value = row.get(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
