package io.larder.orchestrator.launcher;

import java.nio.file.Path;

/**
 * A job's own directory: the spec handed to Spark, its log, its result and (stream jobs) its
 * progress reports. The path holds the job id, which is how a process is recognised as the job's.
 */
public record JobFiles(Path dir, Path spec, Path log, Path result, Path progress) {

  public static JobFiles of(Path home, String jobId) {
    Path dir = home.resolve("jobs").resolve(jobId).toAbsolutePath();
    return new JobFiles(
        dir,
        dir.resolve("spec.json"),
        dir.resolve("job.log"),
        dir.resolve("result.json"),
        dir.resolve("progress.json"));
  }

  /** Layout migrations: created by the job service when the job may finish the switch. */
  public Path proceed() {
    return dir.resolve("proceed");
  }

  /** Where the job's log is, as the API reports it. */
  public String logUri() {
    return log.toUri().toString();
  }
}
