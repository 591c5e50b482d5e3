package io.larder.orchestrator.launcher;

import reactor.core.publisher.Mono;

/**
 * A job's running process.
 *
 * @param exit completes with the exit code when the process ends (-1 when the process is not our
 *     child, e.g. adopted after a restart, and its code cannot be known); cached, so any number of
 *     subscribers see the same end
 */
public record LaunchedJob(String jobId, long pid, String host, Mono<Integer> exit) {

  public static final int UNKNOWN_EXIT = -1;
}
