package io.larder.orchestrator.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A service jar (the registry, or the orchestrator itself) run as its own process on loopback, as
 * an operator runs it; stopped by its pid, forcibly if it does not stop in time.
 */
public final class ServiceProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private ServiceProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** The built jar of a module (its Boot jar, not the plain one). */
  public static Path jar(String module, String artifact) {
    Path target = Path.of("..", module, "target").toAbsolutePath().normalize();
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

  /** Starts {@code java -jar jar args} with {@code env}; waits until {@code port} accepts. */
  public static ServiceProcess start(
      String name, Path jar, Map<String, String> env, int port, Path logDir, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return start(name, command, env, port, logDir);
  }

  /** Starts {@code java jvmArgs -cp classPath mainClass args}; waits until {@code port} accepts. */
  public static ServiceProcess startClass(
      String name,
      String classPath,
      List<String> jvmArgs,
      String mainClass,
      Map<String, String> env,
      int port,
      Path logDir,
      String... args)
      throws IOException, InterruptedException {
    List<String> command = SparkStandaloneCluster.command(classPath, jvmArgs, mainClass);
    command.addAll(List.of(args));
    return start(name, command, env, port, logDir);
  }

  private static ServiceProcess start(
      String name, List<String> command, Map<String, String> env, int port, Path logDir)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .directory(new File(".").getAbsoluteFile());
    builder.environment().putAll(env);
    builder.environment().put("LARDER_LOG_FORMAT", "");
    ServiceProcess started = new ServiceProcess(name, builder.start(), log);
    started.awaitPort(port);
    return started;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  private void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
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
    close();
    throw new IllegalStateException(name + " did not open port " + port + "; see " + log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
