package io.larder.loadtest.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The orchestrator (Feast Job Service) benchmark's client side, driven by {@code
 * orchestrator/bench.sh}: each verb is its own command. Every RPC has a deadline; measured figures
 * go to stdout and as {@code RESULT} lines to {@code --results}, which {@code report} renders.
 */
@Command(
    name = "jobs-bench",
    mixinStandardHelpOptions = true,
    description = "Measures the orchestrator: batch launch overhead, stream freshness, memory.",
    subcommands = {
      BatchLaunchCommand.class,
      StreamFreshnessCommand.class,
      CleanupCommand.class,
      ReportCommand.class
    })
public final class JobsBench {

  public static void main(String[] args) {
    System.exit(new CommandLine(new JobsBench()).execute(args));
  }
}
