package io.larder.sdk.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The registry, job service and gateway from their built jars, on free loopback ports and in their
 * own PostgreSQL schemas (the registry's web console reaches the other two on their HTTP ports);
 * stopped by pid (the job service stops its Spark jobs) and the schemas dropped on close, also when
 * a test failed.
 */
final class LocalServices implements AutoCloseable {

  static final String REDIS =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  static final String KAFKA =
      "127.0.0.1:" + System.getenv().getOrDefault("LARDER_KAFKA_PORT", "9092");

  final int registryPort = freePort();
  final int jobServicePort = freePort();
  final int servingPort = freePort();
  final int registryHttpPort = freePort();
  final int jobServiceHttpPort = freePort();
  final int servingHttpPort = freePort();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String registrySchema = "sdk_it_registry_" + suffix;
  private final String jobSchema = "sdk_it_jobs_" + suffix;
  private final List<Process> processes = new ArrayList<>();
  private final Path logs = Path.of("target", "it-logs", "e2e-" + suffix).toAbsolutePath();

  LocalServices(Path home) throws IOException, InterruptedException {
    Files.createDirectories(logs);
    try {
      Map<String, String> registry = new HashMap<>();
      registry.put("LARDER_REGISTRY_GRPC_PORT", String.valueOf(registryPort));
      registry.put("LARDER_REGISTRY_HTTP_PORT", String.valueOf(registryHttpPort));
      start("registry", "larder-registry", registryEnv(registry), registryPort);

      Map<String, String> jobs = new HashMap<>();
      jobs.put("LARDER_ORCHESTRATOR_GRPC_PORT", String.valueOf(jobServicePort));
      jobs.put("LARDER_ORCHESTRATOR_HTTP_PORT", String.valueOf(jobServiceHttpPort));
      jobs.put("LARDER_ORCHESTRATOR_SCHEMA", jobSchema);
      jobs.put("LARDER_ORCHESTRATOR_HOME", home.resolve("orchestrator").toString());
      jobs.put("LARDER_ORCHESTRATOR_STOP_JOBS_ON_SHUTDOWN", "true");
      jobs.put("LARDER_JOBS_HOME", module("ingestion-jobs").resolve("target").toString());
      jobs.put("LARDER_JOB_JAVA_OPTS", "-Xmx768m");
      jobs.put("LARDER_SPARK_MASTER", "local[2]");
      jobs.put("LARDER_REDIS_URI", REDIS);
      jobs.put("LARDER_REGISTRY_TARGET", "127.0.0.1:" + registryPort);
      start(
          "orchestrator",
          "larder-orchestrator",
          jobs,
          jobServicePort,
          "--larder.orchestrator.stream.reconcile-interval=500ms",
          "--larder.orchestrator.spark.conf.spark.sql.shuffle.partitions=2");

      Map<String, String> gateway = new HashMap<>();
      gateway.put("LARDER_GATEWAY_GRPC_PORT", String.valueOf(servingPort));
      gateway.put("LARDER_GATEWAY_HTTP_PORT", String.valueOf(servingHttpPort));
      gateway.put("LARDER_REGISTRY_TARGET", "127.0.0.1:" + registryPort);
      gateway.put("LARDER_REDIS_URI", REDIS);
      start("gateway", "larder-online-gateway", gateway, servingPort);
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * One more registry over the same schema, with the same console settings, e.g. with
   * authentication on; stopped with the others. Answers its HTTP port once it listens there.
   */
  int startRegistry(String name, String... args) throws IOException, InterruptedException {
    int httpPort = freePort();
    Map<String, String> registry = new HashMap<>();
    registry.put("LARDER_REGISTRY_GRPC_PORT", String.valueOf(freePort()));
    registry.put("LARDER_REGISTRY_HTTP_PORT", String.valueOf(httpPort));
    start(name, "larder-registry", registryEnv(registry), httpPort, args);
    return httpPort;
  }

  /** The schema, and the console's way to the job service and the gateway (their HTTP ports). */
  private Map<String, String> registryEnv(Map<String, String> env) {
    env.put("LARDER_REGISTRY_SCHEMA", registrySchema);
    env.put("LARDER_CONSOLE_ORCHESTRATOR_URL", "http://127.0.0.1:" + jobServiceHttpPort);
    env.put("LARDER_CONSOLE_GATEWAY_URL", "http://127.0.0.1:" + servingHttpPort);
    return env;
  }

  private void start(
      String name, String artifact, Map<String, String> env, int port, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-jar");
    command.add(jar(artifact.substring("larder-".length()), artifact).toString());
    command.add("--larder.grpc.host=127.0.0.1");
    command.addAll(List.of(args));
    Path log = logs.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .directory(new File(".").getAbsoluteFile());
    builder.environment().putAll(env);
    builder.environment().put("LARDER_LOG_FORMAT", "");
    Process process = builder.start();
    processes.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited during start-up; see " + log);
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException(name + " did not open port " + port + "; see " + log);
  }

  private static Path module(String name) {
    return Path.of("..", name).toAbsolutePath().normalize();
  }

  private static Path jar(String module, String artifact) {
    Path target = module(module).resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().matches(artifact + "-[^/]*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-plain.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException(artifact + " is not built in " + target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Last started first: the gateway, then the job service (which stops its jobs), the registry. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process process = processes.get(i);
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    dropSchemas();
  }

  private void dropSchemas() {
    String url =
        "jdbc:postgresql://%s:%s/%s"
            .formatted(
                System.getenv().getOrDefault("LARDER_PG_HOST", "127.0.0.1"),
                System.getenv().getOrDefault("LARDER_PG_PORT", "5432"),
                System.getenv().getOrDefault("LARDER_PG_DB", "larder"));
    try (Connection connection =
            DriverManager.getConnection(
                url,
                System.getenv().getOrDefault("LARDER_PG_USER", "larder"),
                System.getenv().getOrDefault("LARDER_PG_PASSWORD", "larder"));
        Statement statement = connection.createStatement()) {
      statement.execute("SET client_min_messages = warning");
      statement.execute("DROP SCHEMA IF EXISTS " + registrySchema + " CASCADE");
      statement.execute("DROP SCHEMA IF EXISTS " + jobSchema + " CASCADE");
    } catch (SQLException e) {
      System.err.println("could not drop the test schemas: " + e.getMessage());
    }
  }
}
