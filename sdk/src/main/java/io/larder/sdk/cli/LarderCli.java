package io.larder.sdk.cli;

import io.grpc.StatusRuntimeException;
import io.larder.sdk.LarderClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code larder} command line. */
@Command(
    name = "larder",
    mixinStandardHelpOptions = true,
    description = "Talks to a Larder (or Feast 0.9) registry and online gateway.",
    subcommands = {LarderCli.Version.class})
public final class LarderCli {

  @Option(
      names = "--registry",
      defaultValue = "${env:LARDER_REGISTRY:-localhost:6565}",
      description = "Registry gRPC target (env LARDER_REGISTRY, default ${DEFAULT-VALUE}).")
  String registry;

  @Option(
      names = "--serving",
      defaultValue = "${env:LARDER_SERVING:-localhost:6566}",
      description = "Online gateway gRPC target (env LARDER_SERVING, default ${DEFAULT-VALUE}).")
  String serving;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Deadline of each call, e.g. 500ms, 10s (default ${DEFAULT-VALUE}).")
  Duration timeout;

  /** How a command reaches the services; tests swap in in-process channels. */
  BiFunction<LarderCli, Duration, LarderClient> clients =
      (cli, deadline) -> LarderClient.connect(cli.registry, cli.serving, deadline);

  public static void main(String[] args) {
    System.exit(commandLine(new LarderCli()).execute(args));
  }

  static CommandLine commandLine(LarderCli cli) {
    return new CommandLine(cli)
        .setExecutionExceptionHandler(
            (error, commandLine, parseResult) -> {
              commandLine.getErr().println("larder: " + describe(error));
              return 1;
            });
  }

  private static String describe(Exception error) {
    if (error instanceof StatusRuntimeException status) {
      return status.getStatus().getCode()
          + (status.getStatus().getDescription() == null
              ? ""
              : ": " + status.getStatus().getDescription());
    }
    return error.getMessage();
  }

  @Command(name = "version", description = "Prints the versions of the registry and the gateway.")
  static final class Version implements Callable<Integer> {

    @CommandLine.ParentCommand LarderCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (LarderClient client = parent.clients.apply(parent, parent.timeout)) {
        out.println("registry " + client.registryVersion());
        var serving = client.servingInfo();
        out.println("serving  " + serving.getVersion() + " (" + serving.getType() + ")");
      }
      return 0;
    }
  }
}
