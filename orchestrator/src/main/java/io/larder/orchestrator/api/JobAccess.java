package io.larder.orchestrator.api;

import io.larder.orchestrator.job.JobRow;
import io.larder.support.security.Caller;
import io.larder.support.security.ProjectRole;
import reactor.core.publisher.Mono;

/**
 * The role each job call needs, the same for gRPC and HTTP: ingestion (batch and stream) and
 * cancelling need writer in the job's project; historical retrieval and reading jobs need reader;
 * listings hold only the jobs of projects the caller may read.
 */
public final class JobAccess {

  private JobAccess() {}

  /** Completes when the caller holds the role in the project (empty: Feast's default). */
  public static Mono<Void> require(Caller caller, ProjectRole role, String project, String action) {
    return Mono.fromRunnable(
        () ->
            caller.require(
                role, project == null || project.isEmpty() ? "default" : project, action));
  }

  /** The job, once the caller is found to hold the role in its project. */
  public static Mono<JobRow> allowed(Caller caller, ProjectRole role, JobRow job, String action) {
    return require(caller, role, job.project(), action).thenReturn(job);
  }

  public static boolean mayRead(Caller caller, JobRow job) {
    return caller.may(ProjectRole.READER, job.project());
  }
}
