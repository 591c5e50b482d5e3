package io.larder.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.types.ValueProto.Value;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A job submitted by the command line to a Spark standalone master and worker (started here from
 * Spark's own Maven artifacts, on loopback) instead of local mode: the executors, in their own JVM,
 * read the source and write Redis.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SparkStandaloneIT {

  private static final String REDIS =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");

  @TempDir static Path dir;

  private static String classPath;
  private static Process master;
  private static Process worker;
  private static int masterPort;

  @BeforeAll
  static void startCluster() throws Exception {
    classPath = jobClassPath();
    // Workers build executor commands from SPARK_HOME/jars: a home whose jars are ours.
    Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    masterPort = freePort();
    master =
        start(
            sparkHome,
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(masterPort),
            "--webui-port",
            String.valueOf(freePort()));
    awaitPort(masterPort, master);
    worker =
        start(
            sparkHome,
            "worker",
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            "127.0.0.1",
            "--cores",
            "1",
            "--memory",
            "1g",
            "--webui-port",
            String.valueOf(freePort()),
            "--work-dir",
            Files.createDirectories(dir.resolve("work")).toString(),
            "spark://127.0.0.1:" + masterPort);
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    for (Process process : new Process[] {worker, master}) {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  @Test
  void batchIngestionRunsOnTheStandaloneClusterAndWritesRedis() throws Exception {
    String project = "standalone_" + UUID.randomUUID().toString().substring(0, 8);
    Path csv = dir.resolve("trips.csv");
    Files.writeString(
        csv,
        """
        driver_id,trips,ts
        1,10,2030-01-01T10:00:00Z
        1,11,2030-01-01T11:00:00Z
        2,20,2030-01-01T10:00:00Z
        """);
    String spec =
        """
        {"project": "%s",
         "table": {"name": "trips", "entities": ["driver_id"],
           "features": [{"name": "trips", "valueType": "INT64"}],
           "batchSource": {"type": "BATCH_FILE", "eventTimestampColumn": "ts",
             "fileOptions": {"fileUrl": "%s"}}},
         "entities": [{"name": "driver_id", "valueType": "INT64"}],
         "redis": {"uri": "%s"}}
        """
            .formatted(project, csv.toUri(), REDIS);
    String result = runOnCluster("batch-ingestion", spec, "batch");
    assertThat(result)
        .contains("\"status\":\"SUCCEEDED\"")
        .contains("\"rows_read\":\"3\"")
        .contains("\"rows_written\":\"2\"")
        // The standalone master's id for the application, as the orchestrator records it.
        .containsPattern("\"application_id\":\"app-[0-9]+-[0-9]+\"");
    // The worker launched an executor for the application (its work dir holds app-*/<id>/).
    try (var apps = Files.list(dir.resolve("work"))) {
      assertThat(apps.map(p -> p.getFileName().toString()))
          .as("applications the worker ran")
          .anyMatch(name -> name.startsWith("app-"));
    }

    try (RedisClient redis = RedisClient.create(REDIS)) {
      byte[] key =
          OnlineStoreKeys.entityKey(
              project, Map.of("driver_id", Value.newBuilder().setInt64Val(1).build()));
      assertThat(Value.parseFrom(redis.hget(key, OnlineStoreKeys.featureField("trips", "trips"))))
          .isEqualTo(Value.newBuilder().setInt64Val(11).build());
    }
  }

  @Test
  void historicalRetrievalRunsOnTheStandaloneCluster() throws Exception {
    // The join's tasks (shuffled partitions of every side zipped in one task) run in the executor.
    Path trips = dir.resolve("pit-trips.csv");
    Files.writeString(
        trips,
        """
        driver_id,trips,ts
        1,10,2030-01-01T10:00:00Z
        1,11,2030-01-01T11:00:00Z
        2,20,2030-01-01T10:00:00Z
        """);
    Path entities = dir.resolve("pit-entities.csv");
    Files.writeString(
        entities,
        """
        driver_id,event_timestamp
        1,2030-01-01T10:30:00Z
        2,2030-01-01T09:00:00Z
        3,2030-01-01T12:00:00Z
        """);
    Path output = dir.resolve("pit-out");
    String spec =
        """
        {"entities": [{"name": "driver_id", "valueType": "INT64"}],
         "entitySource": {"path": "%s"},
         "features": ["trips:trips"],
         "tables": [{"name": "trips", "entities": ["driver_id"],
           "features": [{"name": "trips", "valueType": "INT64"}],
           "batchSource": {"type": "BATCH_FILE", "eventTimestampColumn": "ts",
             "fileOptions": {"fileUrl": "%s"}}}],
         "outputPath": "%s"}
        """
            .formatted(entities, trips.toUri(), output);

    String result = runOnCluster("historical-retrieval", spec, "historical");

    assertThat(result).contains("\"status\":\"SUCCEEDED\"").contains("\"rows_output\":\"3\"");
    try (var files = Files.list(output)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".parquet"));
    }
  }

  /** Runs {@code job} through the command line on the cluster; returns its result JSON. */
  private static String runOnCluster(String job, String spec, String name) throws Exception {
    Path result = dir.resolve(name + "-result.json");
    List<String> command = new ArrayList<>(java());
    command.addAll(
        List.of(
            "io.larder.jobs.cli.LarderJobs",
            job,
            "--spec",
            spec,
            "--master",
            "spark://127.0.0.1:" + masterPort,
            "--conf",
            "spark.cores.max=1",
            "--conf",
            "spark.executor.memory=512m",
            "--result",
            result.toString()));
    Path log = dir.resolve(name + "-job.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished = process.waitFor(4, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("job finished; log:%n%s", tail(output)).isTrue();
    assertThat(process.exitValue()).as("exit code; log:%n%s", tail(output)).isZero();
    return Files.readString(result);
  }

  private static Process start(Path sparkHome, String name, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(java());
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }

  private static List<String> java() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The same module openings as this test JVM (Spark's launcher list).
    for (String arg :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-Dio.netty")
          || arg.startsWith("-Djdk")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(classPath);
    return command;
  }

  /** target/classes plus the resolved dependencies written at package time. */
  private static String jobClassPath() throws IOException {
    Path target = Path.of("target");
    String dependencies =
        Files.readString(target.resolve("runtime-classpath.txt"), StandardCharsets.UTF_8).strip();
    return target.resolve("classes").toAbsolutePath() + File.pathSeparator + dependencies;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port, Process process) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Spark master exited; see " + dir.resolve("master.log"));
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(250);
      }
    }
    throw new UncheckedIOException(new IOException("Spark master did not open port " + port));
  }

  private static String tail(String text) {
    return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
  }
}
