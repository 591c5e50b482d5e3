package io.larder.sdk.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait/--no-wait} and {@code --wait-timeout} of the commands that start a job. */
final class JobWait {

  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      description = "Wait for the job to end (default); --no-wait returns its id.")
  boolean wait;

  @Option(
      names = "--wait-timeout",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description = "How long to wait at most (default 30m).")
  Duration timeout;
}
