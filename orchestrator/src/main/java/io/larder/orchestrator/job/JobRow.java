package io.larder.orchestrator.job;

import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import java.time.Instant;
import java.util.List;

/**
 * One job as the store keeps it. {@code version} guards updates: a row is only replaced by a writer
 * that read the current version.
 */
public record JobRow(
    String id,
    JobType type,
    JobStatus status,
    String project,
    String tableName,
    List<String> tables,
    String specJson,
    String specHash,
    String outputLocation,
    String logUri,
    String sparkMaster,
    String applicationId,
    long pid,
    String host,
    int attempts,
    List<Long> deaths,
    String error,
    String stopReason,
    JobStatus stopStatus,
    String progressJson,
    boolean ready,
    boolean scheduled,
    String kind,
    Instant windowStart,
    Instant windowEnd,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    Instant nextAttemptAt,
    long version) {

  public JobRow {
    tables = List.copyOf(tables);
    deaths = List.copyOf(deaths);
  }

  /** {@link #kind()} of a layout migration (Feast's type: a batch ingestion of its table). */
  public static final String LAYOUT_MIGRATION = "layout_migration";

  public boolean layoutMigration() {
    return LAYOUT_MIGRATION.equals(kind);
  }

  public boolean terminal() {
    return status == JobStatus.JOB_STATUS_DONE || status == JobStatus.JOB_STATUS_ERROR;
  }

  public boolean stopRequested() {
    return stopStatus != JobStatus.JOB_STATUS_INVALID;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A new PENDING job. */
  public static Builder pending(String id, JobType type, String project, Instant now) {
    Builder builder = new Builder();
    builder.id = id;
    builder.type = type;
    builder.status = JobStatus.JOB_STATUS_PENDING;
    builder.project = project;
    builder.createdAt = now;
    return builder;
  }

  /** Copy-and-change for a record with many fields. */
  public static final class Builder {
    private String id;
    private JobType type;
    private JobStatus status;
    private String project = "";
    private String tableName = "";
    private List<String> tables = List.of();
    private String specJson = "";
    private String specHash = "";
    private String outputLocation = "";
    private String logUri = "";
    private String sparkMaster = "";
    private String applicationId = "";
    private long pid;
    private String host = "";
    private int attempts;
    private List<Long> deaths = List.of();
    private String error = "";
    private String stopReason = "";
    private JobStatus stopStatus = JobStatus.JOB_STATUS_INVALID;
    private String progressJson = "";
    private boolean ready;
    private boolean scheduled;
    private String kind = "";
    private Instant windowStart;
    private Instant windowEnd;
    private Instant createdAt;
    private Instant startedAt;
    private Instant endedAt;
    private Instant nextAttemptAt;
    private long version;

    private Builder() {}

    private Builder(JobRow row) {
      id = row.id;
      type = row.type;
      status = row.status;
      project = row.project;
      tableName = row.tableName;
      tables = row.tables;
      specJson = row.specJson;
      specHash = row.specHash;
      outputLocation = row.outputLocation;
      logUri = row.logUri;
      sparkMaster = row.sparkMaster;
      applicationId = row.applicationId;
      pid = row.pid;
      host = row.host;
      attempts = row.attempts;
      deaths = row.deaths;
      error = row.error;
      stopReason = row.stopReason;
      stopStatus = row.stopStatus;
      progressJson = row.progressJson;
      ready = row.ready;
      scheduled = row.scheduled;
      kind = row.kind;
      windowStart = row.windowStart;
      windowEnd = row.windowEnd;
      createdAt = row.createdAt;
      startedAt = row.startedAt;
      endedAt = row.endedAt;
      nextAttemptAt = row.nextAttemptAt;
      version = row.version;
    }

    public Builder status(JobStatus value) {
      status = value;
      return this;
    }

    public Builder tableName(String value) {
      tableName = value;
      return this;
    }

    public Builder tables(List<String> value) {
      tables = value;
      return this;
    }

    public Builder specJson(String value) {
      specJson = value;
      return this;
    }

    public Builder specHash(String value) {
      specHash = value;
      return this;
    }

    public Builder outputLocation(String value) {
      outputLocation = value;
      return this;
    }

    public Builder logUri(String value) {
      logUri = value;
      return this;
    }

    public Builder sparkMaster(String value) {
      sparkMaster = value;
      return this;
    }

    public Builder applicationId(String value) {
      applicationId = value;
      return this;
    }

    public Builder pid(long value) {
      pid = value;
      return this;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    public Builder attempts(int value) {
      attempts = value;
      return this;
    }

    public Builder deaths(List<Long> value) {
      deaths = value;
      return this;
    }

    public Builder error(String value) {
      error = value;
      return this;
    }

    public Builder stopReason(String value) {
      stopReason = value;
      return this;
    }

    public Builder stopStatus(JobStatus value) {
      stopStatus = value;
      return this;
    }

    public Builder progressJson(String value) {
      progressJson = value;
      return this;
    }

    public Builder ready(boolean value) {
      ready = value;
      return this;
    }

    public Builder scheduled(boolean value) {
      scheduled = value;
      return this;
    }

    public Builder kind(String value) {
      kind = value;
      return this;
    }

    public Builder window(Instant start, Instant end) {
      windowStart = start;
      windowEnd = end;
      return this;
    }

    public Builder startedAt(Instant value) {
      startedAt = value;
      return this;
    }

    public Builder endedAt(Instant value) {
      endedAt = value;
      return this;
    }

    public Builder nextAttemptAt(Instant value) {
      nextAttemptAt = value;
      return this;
    }

    public Builder version(long value) {
      version = value;
      return this;
    }

    public JobRow build() {
      return new JobRow(
          id,
          type,
          status,
          project,
          tableName,
          tables,
          specJson,
          specHash,
          outputLocation,
          logUri,
          sparkMaster,
          applicationId,
          pid,
          host,
          attempts,
          deaths,
          error,
          stopReason,
          stopStatus,
          progressJson,
          ready,
          scheduled,
          kind,
          windowStart,
          windowEnd,
          createdAt,
          startedAt,
          endedAt,
          nextAttemptAt,
          version);
    }
  }
}
