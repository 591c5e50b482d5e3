package io.larder.sdk.cli;

import io.larder.sdk.JobFailedException;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.LarderSettings;
import io.larder.sdk.definitions.DefinitionException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code larder} command line: Feast 0.9's verbs over the registry, the job service and the
 * online gateway. Exit codes: 0 ok, 1 failed (a job ended ERROR, a service error), 2 bad usage or
 * input, 3 a service could not be reached.
 */
@Command(
    name = "larder",
    mixinStandardHelpOptions = true,
    // --help and --version on every subcommand too.
    scope = ScopeType.INHERIT,
    versionProvider = LarderCli.CliVersion.class,
    description =
        "Manages a Larder (or Feast 0.9) feature store: definitions, jobs, training sets, online features.",
    subcommands = {
      LarderCli.Version.class,
      ProjectsCommand.class,
      EntitiesCommand.class,
      FeatureTablesCommand.class,
      ApplyCommand.class,
      JobsCommand.class,
      HistoricalFeaturesCommand.class,
      OnlineCommand.class,
      TokenCommand.class,
    })
public final class LarderCli {

  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int UNREACHABLE = 3;

  @Option(
      names = "--registry",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:LARDER_REGISTRY:-localhost:6565}",
      description = "Registry gRPC target (env LARDER_REGISTRY, default ${DEFAULT-VALUE}).")
  String registry;

  @Option(
      names = "--job-service",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:LARDER_JOB_SERVICE:-localhost:6568}",
      description = "Job service gRPC target (env LARDER_JOB_SERVICE, default ${DEFAULT-VALUE}).")
  String jobService;

  @Option(
      names = "--serving",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:LARDER_SERVING:-localhost:6566}",
      description = "Online gateway gRPC target (env LARDER_SERVING, default ${DEFAULT-VALUE}).")
  String serving;

  @Option(
      names = {"-p", "--project"},
      scope = ScopeType.INHERIT,
      defaultValue = "${env:LARDER_PROJECT:-default}",
      description = "Project (env LARDER_PROJECT, default ${DEFAULT-VALUE}).")
  String project;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Deadline of each call, e.g. 500ms, 10s (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      defaultValue = "table",
      description = "table, json or yaml (default ${DEFAULT-VALUE}).")
  Output.Format output;

  @Option(
      names = "--tls",
      scope = ScopeType.INHERIT,
      description = "TLS on every call (trusting the JVM's CAs, or --trust).")
  boolean tls;

  @Option(
      names = "--trust",
      scope = ScopeType.INHERIT,
      description = "PEM file of the CAs to trust with --tls.")
  Path trust;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:LARDER_TOKEN}",
      description = "Bearer token sent with every call (env LARDER_TOKEN).")
  String token;

  /** How commands reach the services; tests swap in in-process channels. */
  Function<LarderSettings, LarderClient> clients = LarderClient::connect;

  public static void main(String[] args) {
    System.exit(commandLine(new LarderCli()).execute(args));
  }

  static CommandLine commandLine(LarderCli cli) {
    CommandLine commandLine = new CommandLine(cli);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine.setExecutionExceptionHandler(
        (error, line, parseResult) -> {
          line.getErr().println("larder: " + describe(error));
          return exitCode(error);
        });
  }

  LarderSettings settings() {
    return LarderSettings.defaults()
        .withRegistry(registry)
        .withJobService(jobService)
        .withServing(serving)
        .withDeadline(timeout)
        .withTls(tls, trust)
        .withToken(token);
  }

  LarderClient client() {
    return clients.apply(settings());
  }

  static int exitCode(Throwable error) {
    if (error instanceof LarderException larder) {
      return larder.unreachable() ? UNREACHABLE : larder.badRequest() ? BAD_INPUT : FAILED;
    }
    if (error instanceof DefinitionException
        || error instanceof IllegalArgumentException
        || error instanceof CommandLine.ParameterException) {
      return BAD_INPUT;
    }
    return FAILED;
  }

  static String describe(Throwable error) {
    if (error instanceof JobFailedException
        || error instanceof LarderException
        || error instanceof DefinitionException) {
      return error.getMessage();
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.toString() : message;
  }

  @Command(name = "version", description = "Prints the versions of the registry and the gateway.")
  static final class Version implements Callable<Integer> {

    @CommandLine.ParentCommand LarderCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (LarderClient client = parent.client()) {
        out.println("registry " + client.registryVersion());
        var serving = client.servingInfo();
        out.println("serving  " + serving.getVersion() + " (" + serving.getType() + ")");
      }
      out.flush();
      return 0;
    }
  }

  static final class CliVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LarderCli.class.getPackage().getImplementationVersion();
      return new String[] {"larder " + (version == null ? "(development build)" : version)};
    }
  }
}
