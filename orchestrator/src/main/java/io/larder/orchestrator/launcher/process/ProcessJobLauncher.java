package io.larder.orchestrator.launcher.process;

import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobRow;
import io.larder.orchestrator.launcher.JobFiles;
import io.larder.orchestrator.launcher.JobLaunch;
import io.larder.orchestrator.launcher.JobLauncher;
import io.larder.orchestrator.launcher.LaunchedJob;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs each job as a child JVM: the ingestion-jobs thin jar plus its runtime class path, the same
 * command {@code scripts/larder-job} runs, against {@code larder.orchestrator.spark.master}
 * (local[*] by default, any Spark master otherwise; the child is then the Spark driver). Its stdout
 * and stderr go to the job's log file.
 */
public final class ProcessJobLauncher implements JobLauncher {

  private static final Logger log = LoggerFactory.getLogger(ProcessJobLauncher.class);
  private static final String MAIN_CLASS = "io.larder.jobs.cli.LarderJobs";

  private final OrchestratorProperties.Jobs jobs;
  private final String host;

  public ProcessJobLauncher(OrchestratorProperties.Jobs jobs) {
    this.jobs = jobs;
    this.host = localHost();
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public Mono<LaunchedJob> launch(JobLaunch launch) {
    // Forking a JVM and writing the spec are blocking calls: off the event loops.
    return Mono.fromCallable(() -> start(launch)).subscribeOn(Schedulers.boundedElastic());
  }

  private LaunchedJob start(JobLaunch launch) throws IOException {
    JobFiles files = launch.files();
    Files.createDirectories(files.dir());
    Files.writeString(files.spec(), launch.specJson(), StandardCharsets.UTF_8);
    Files.deleteIfExists(files.result());
    Files.deleteIfExists(files.progress());
    List<String> command = command(launch);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log().toFile()))
            .directory(files.dir().toFile());
    builder.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    log.atInfo()
        .addKeyValue("job_id", launch.jobId())
        .log(
            "job {} launched: {} on {} (pid {}, log {})",
            launch.jobId(),
            launch.application(),
            launch.sparkMaster(),
            process.pid(),
            files.log());
    Mono<Integer> exit = Mono.fromFuture(process.onExit(), true).map(Process::exitValue).cache();
    return new LaunchedJob(launch.jobId(), process.pid(), host, exit);
  }

  List<String> command(JobLaunch launch) {
    Path home = jobs.home().toAbsolutePath();
    List<String> command = new ArrayList<>();
    command.add(
        jobs.java() == null || jobs.java().isBlank()
            ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
            : jobs.java());
    // First, so the job is recognised by it even where a long command line is cut short.
    command.add(marker(launch.files()).strip());
    command.addAll(sparkJvmArgs(home));
    command.addAll(jobs.javaOptions());
    command.add("-cp");
    command.add(jobJar(home) + File.pathSeparator + read(home.resolve("runtime-classpath.txt")));
    command.add(MAIN_CLASS);
    command.add(launch.application());
    command.add("--spec");
    command.add(launch.files().spec().toString());
    command.add("--result");
    command.add(launch.files().result().toString());
    if (launch.sparkMaster() != null && !launch.sparkMaster().isBlank()) {
      command.add("--master");
      command.add(launch.sparkMaster());
    }
    for (Map.Entry<String, String> setting : launch.sparkConf().entrySet()) {
      command.add("--conf");
      command.add(setting.getKey() + "=" + setting.getValue());
    }
    return command;
  }

  private static List<String> sparkJvmArgs(Path home) {
    Path file = home.resolve("launch").resolve("spark-jvm-args.txt");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    String args = read(file);
    return args.isBlank() ? List.of() : List.of(args.split("\\s+"));
  }

  private static String jobJar(Path home) {
    try (Stream<Path> files = Files.list(home)) {
      return files
          .map(Path::toString)
          .filter(name -> name.matches(".*/larder-ingestion-jobs-[^/]*\\.jar"))
          .filter(name -> !name.endsWith("-sources.jar") && !name.endsWith("-tests.jar"))
          .findFirst()
          .orElseThrow(() -> notBuilt(home));
    } catch (IOException e) {
      throw notBuilt(home);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw notBuilt(file.getParent());
    }
  }

  private static IllegalStateException notBuilt(Path home) {
    return new IllegalStateException(
        "the Spark jobs are not built at "
            + home
            + " (larder.orchestrator.jobs.home); run: mvn -B -pl ingestion-jobs -am package"
            + " -DskipTests");
  }

  @Override
  public Optional<LaunchedJob> find(JobRow job, JobFiles files) {
    if (!job.host().isEmpty() && !job.host().equals(host)) {
      return Optional.empty();
    }
    String marker = marker(files);
    Optional<ProcessHandle> byPid =
        job.pid() > 0 ? ProcessHandle.of(job.pid()).filter(p -> runs(p, marker)) : Optional.empty();
    // A crash between launch and recording the pid leaves only the job's path to go by.
    Optional<ProcessHandle> found =
        byPid.isPresent()
            ? byPid
            : ProcessHandle.allProcesses().filter(p -> runs(p, marker)).findFirst();
    return found.map(
        handle ->
            new LaunchedJob(
                job.id(),
                handle.pid(),
                host,
                Mono.fromFuture(handle.onExit(), true)
                    .thenReturn(LaunchedJob.UNKNOWN_EXIT)
                    .cache()));
  }

  /** The job's own argument (with the space that ends it), which names its directory. */
  private static String marker(JobFiles files) {
    return "-Dlarder.job.dir=" + files.dir() + " ";
  }

  private static boolean runs(ProcessHandle process, String marker) {
    return process.isAlive()
        && process.info().commandLine().map(line -> (line + " ").contains(marker)).orElse(false);
  }

  @Override
  public Mono<Void> stop(LaunchedJob job, Duration grace) {
    return Mono.defer(
        () -> {
          Optional<ProcessHandle> handle = ProcessHandle.of(job.pid());
          if (handle.isEmpty() || !handle.get().isAlive()) {
            return Mono.empty();
          }
          ProcessHandle process = handle.get();
          process.destroy();
          Mono<Void> ended = Mono.fromFuture(process.onExit(), true).then();
          return ended.timeout(
              grace,
              Mono.defer(
                  () -> {
                    log.warn(
                        "job {} (pid {}) still running {} after TERM; killing it",
                        job.jobId(),
                        job.pid(),
                        grace);
                    process.destroyForcibly();
                    return ended.timeout(Duration.ofSeconds(30));
                  }));
        });
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    } catch (UncheckedIOException e) {
      return "localhost";
    }
  }
}
