package io.larder.orchestrator.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone master and one worker on loopback, run from the built ingestion-jobs class
 * path (Spark's own Maven artifacts), so the orchestrator can be pointed at a real Spark master.
 */
public final class SparkStandaloneCluster implements AutoCloseable {

  private final ServiceProcess master;
  private final ServiceProcess worker;
  private final int masterPort;
  private final Path workDir;

  private SparkStandaloneCluster(
      ServiceProcess master, ServiceProcess worker, int masterPort, Path workDir) {
    this.master = master;
    this.worker = worker;
    this.masterPort = masterPort;
    this.workDir = workDir;
  }

  public static SparkStandaloneCluster start(Path dir) throws Exception {
    Path jobs = Path.of("..", "ingestion-jobs", "target").toAbsolutePath().normalize();
    String classPath =
        jobs.resolve("classes")
            + File.pathSeparator
            + Files.readString(jobs.resolve("runtime-classpath.txt"), StandardCharsets.UTF_8)
                .strip();
    // Workers build executor commands from SPARK_HOME/jars: a home whose jars are ours.
    Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    List<String> jvmArgs =
        List.of(
            Files.readString(jobs.resolve("launch").resolve("spark-jvm-args.txt"))
                .strip()
                .split("\\s+"));
    Map<String, String> env =
        Map.of(
            "SPARK_HOME", sparkHome.toString(),
            "SPARK_SCALA_VERSION", "2.13",
            "SPARK_LOCAL_IP", "127.0.0.1");
    int masterPort = ServiceProcess.freePort();
    ServiceProcess master =
        ServiceProcess.startClass(
            "spark-master",
            classPath,
            jvmArgs,
            "org.apache.spark.deploy.master.Master",
            env,
            masterPort,
            dir,
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(masterPort),
            "--webui-port",
            String.valueOf(ServiceProcess.freePort()));
    Path workDir = Files.createDirectories(dir.resolve("work"));
    int workerPort = ServiceProcess.freePort();
    ServiceProcess worker;
    try {
      worker =
          ServiceProcess.startClass(
              "spark-worker",
              classPath,
              jvmArgs,
              "org.apache.spark.deploy.worker.Worker",
              env,
              workerPort,
              dir,
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(workerPort),
              "--cores",
              "1",
              "--memory",
              "1g",
              "--webui-port",
              String.valueOf(ServiceProcess.freePort()),
              "--work-dir",
              workDir.toString(),
              "spark://127.0.0.1:" + masterPort);
    } catch (IOException | RuntimeException e) {
      master.close();
      throw e;
    }
    return new SparkStandaloneCluster(master, worker, masterPort, workDir);
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** Where the worker runs executors: one app-* directory per application it served. */
  public Path workDir() {
    return workDir;
  }

  @Override
  public void close() {
    worker.close();
    master.close();
  }

  static List<String> command(String classPath, List<String> jvmArgs, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    return command;
  }
}
