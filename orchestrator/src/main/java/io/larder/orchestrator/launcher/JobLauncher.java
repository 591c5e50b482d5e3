package io.larder.orchestrator.launcher;

import io.larder.orchestrator.job.JobRow;
import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Runs Spark jobs: submit, find, stop. Which launcher runs is configuration; the orchestrator's
 * control loop owns every job's lifecycle, the launcher only acts.
 */
public interface JobLauncher {

  /** Starts the job; completes once its process runs (not when the job ends). */
  Mono<LaunchedJob> launch(JobLaunch launch);

  /**
   * The still-running process of a job launched earlier, by this or an earlier orchestrator on this
   * host, if there is one; so a restarted orchestrator adopts jobs instead of starting twins.
   */
  Optional<LaunchedJob> find(JobRow job, JobFiles files);

  /** Asks the job to stop (TERM), kills it after {@code grace}; completes when it has ended. */
  Mono<Void> stop(LaunchedJob job, Duration grace);

  /** This host's name, as recorded with each launched job. */
  String host();
}
