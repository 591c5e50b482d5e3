package io.larder.loadtest.jobs;

import io.larder.sdk.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the services are, which project the benchmark owns, and where results go. */
public final class ConnectionOptions {

  @Option(
      names = "--registry",
      defaultValue = "127.0.0.1:6565",
      description = "Registry gRPC host:port (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(
      names = "--orchestrator",
      defaultValue = "127.0.0.1:6568",
      description = "Orchestrator (job service) gRPC host:port (default: ${DEFAULT-VALUE}).")
  String orchestrator;

  @Option(
      names = "--gateway",
      defaultValue = "127.0.0.1:6566",
      description = "Online gateway gRPC host:port (default: ${DEFAULT-VALUE}).")
  String gateway;

  @Option(
      names = "--kafka",
      defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String kafka;

  @Option(
      names = "--project",
      required = true,
      description = "The registry project the benchmark owns (its tables are deleted at the end).")
  String project;

  @Option(
      names = "--deadline",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Deadline of every control call (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  @Option(names = "--results", description = "Appends the RESULT lines to this file.")
  Path results;
}
