package io.larder.orchestrator.job;

import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobServiceExtProto.StatusChange;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Where every job lives; nothing about a job is held only in memory. */
public interface JobStore {

  /** Stores a new job and its first status. */
  Mono<JobRow> insert(JobRow job, String reason);

  /** The job, or empty. */
  Mono<JobRow> find(String id);

  /** Jobs matching the query, newest first. */
  Flux<JobRow> list(JobQuery query);

  /** PENDING and RUNNING jobs, oldest first (the order PENDING jobs are started in). */
  Flux<JobRow> active();

  /** The newest job of a table of the given type, whatever its status. */
  Mono<JobRow> latest(String project, String table, JobType type);

  /**
   * Reads the job, applies {@code change} and writes the result if it differs, retrying when
   * another writer got there first; a status change is recorded in the history with {@code reason}.
   * Answers the stored row.
   */
  Mono<JobRow> modify(String id, UnaryOperator<JobRow> change, String reason);

  /** Every status the job entered, oldest first. */
  Flux<StatusChange> history(String id);

  /** A small fact kept across restarts, or empty. */
  Mono<String> state(String key);

  Mono<Void> putState(String key, String value);

  /**
   * Which jobs to list.
   *
   * @param project empty: all
   * @param table empty: all; else the jobs that ingest the table or read it (retrieval)
   * @param type INVALID_JOB: all
   */
  record JobQuery(
      boolean includeTerminated, String project, String table, JobType type, int limit) {
    public static JobQuery all(boolean includeTerminated, String table) {
      // Feast's ListJobs answers every job.
      return new JobQuery(includeTerminated, "", table, JobType.INVALID_JOB, Integer.MAX_VALUE);
    }
  }
}
