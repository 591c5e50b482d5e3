package io.larder.loadtest.h2load;

import io.larder.loadtest.cpu.ProcessCpu;
import io.larder.loadtest.report.LoadReport;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.EntityIds;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.loadtest.shape.ShapeOptions;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.sdk.cli.DurationConverter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Saturates the gateway with h2load (nghttp2's HTTP/2 load tool, written in C): the same request
 * body on every call, {@code connections x streams} calls in flight, over h2c. It costs about a
 * tenth of the CPU per call of the Java drivers, which share this machine's cores with the gateway
 * and Redis, so its throughput is the closer measure of what the gateway itself can do. One checked
 * call first fixes the answer's size and that every value is PRESENT; every answer of the run must
 * then have that size (the same entities always get the same answer).
 */
@Command(
    name = "h2load-run",
    mixinStandardHelpOptions = true,
    description = "h2load against the gateway's gRPC or HTTP lookup, one fixed request body.")
public final class H2loadRun implements Callable<Integer> {

  @Mixin ShapeOptions shapeOptions;

  @Option(
      names = "--api",
      required = true,
      description = "grpc (GetOnlineFeaturesV2), http_json or http_ndjson.")
  H2loadApi api;

  @Option(
      names = "--grpc-target",
      defaultValue = "127.0.0.1:6566",
      description = "The gateway's gRPC host:port (default: ${DEFAULT-VALUE}).")
  String grpcTarget;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8081",
      description = "The gateway's HTTP base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--rows", defaultValue = "10", description = "Entity rows per request.")
  int rows;

  @Option(
      names = "--features",
      defaultValue = "0",
      description = "Features per request; 0 = every feature of the shape (default).")
  int features;

  @Option(names = "--connections", defaultValue = "4", description = "h2c connections.")
  int connections;

  @Option(
      names = "--streams",
      defaultValue = "8",
      description = "Concurrent streams per connection (calls in flight = connections x streams).")
  int streams;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Uncounted h2load run before the measured one (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--duration",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Measured time, whole seconds (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--cpu-pid",
      description = "name=pid whose utime+stime is counted over the measured run; repeatable.")
  Map<String, Long> cpuPids = Map.of();

  @Option(names = "--clk-tck", defaultValue = "100", description = "getconf CLK_TCK.")
  long clockTicksPerSecond;

  @Option(names = "--h2load", defaultValue = "h2load", description = "The h2load executable.")
  String h2load;

  @Option(names = "--results", description = "Also append the RESULT line to this file.")
  Path results;

  @Option(
      names = "--work-dir",
      description = "Where the request body and h2load's log go (default: a temporary directory).")
  Path workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new H2loadRun()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    BenchmarkShape shape = shapeOptions.shape();
    int featureCount = features <= 0 ? shape.totalFeatures() : features;
    GetOnlineFeaturesRequestV2 request =
        new OnlineRequests(shape, rows, featureCount)
            .forIds(EntityIds.spread(rows, shape.entities()));
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("h2");
    Path body = dir.resolve("request-" + api + "-" + rows + ".body");
    Files.write(body, api.body(request));

    AnswerCheck.Expected expected = AnswerCheck.call(api, grpcTarget, url, request);
    long expectedPresent = (long) rows * featureCount;
    // The echoed entity fields count as PRESENT too: at least every feature must be.
    if (expected.present() < expectedPresent) {
      System.err.printf(
          "h2load-run: the checked call found %d of %d values PRESENT; generate the data first%n",
          expected.present(), expectedPresent);
      return 2;
    }

    if (!warmup.isZero()) {
      H2loadOutput.parse(run(body, warmup, null).stdout());
    }
    Path log = dir.resolve("h2load-" + api + "-" + rows + ".log");
    Map<String, Long> before = ticks();
    Finished measured = run(body, duration, log);
    Map<String, Long> after = ticks();
    H2loadOutput output = H2loadOutput.parse(measured.stdout());
    Map<String, Double> cpu = new LinkedHashMap<>();
    cpuPids.keySet().stream()
        .sorted()
        .forEach(
            name -> {
              Long from = before.get(name);
              Long until = after.get(name);
              cpu.put(
                  name,
                  from == null || until == null
                      ? Double.NaN
                      : (until - from) / (double) clockTicksPerSecond);
            });
    cpu.put("driver", measured.cpuSeconds());

    LoadReport report =
        H2loadReports.report(
            api, rows, featureCount, connections * streams, output, expected, log, cpu);
    System.out.println(report.humanText() + "; answer " + expected.bytes() + " bytes");
    System.out.println(report.resultLine());
    if (results != null) {
      report.appendTo(results);
    }
    return 0;
  }

  private Map<String, Long> ticks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    cpuPids.forEach(
        (name, pid) -> {
          OptionalLong value = ProcessCpu.ticks(pid);
          if (value.isPresent()) {
            ticks.put(name, value.getAsLong());
          }
        });
    return ticks;
  }

  /** What one h2load process printed, and the CPU seconds it used (from the shell's times). */
  record Finished(String stdout, double cpuSeconds) {}

  /**
   * Runs h2load for {@code length} under a shell whose {@code times} reports the CPU it used: its
   * own counters are gone once it has exited. Bounded: killed (by pid) past length + 60 s.
   */
  private Finished run(Path body, Duration length, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(h2load);
    command.addAll(List.of("-c", Integer.toString(connections), "-m", Integer.toString(streams)));
    command.addAll(List.of("-D", Long.toString(Math.max(1, length.toSeconds()))));
    for (String header : api.headers()) {
      command.addAll(List.of("-H", header));
    }
    command.addAll(List.of("-d", body.toString()));
    if (log != null) {
      Files.deleteIfExists(log);
      command.addAll(List.of("--log-file", log.toString()));
    }
    command.add(api.url(grpcTarget, url));
    List<String> shell =
        new ArrayList<>(List.of("sh", "-c", "\"$@\"; rc=$?; times; exit $rc", "h2"));
    shell.addAll(command);
    Path out = Files.createTempFile("h2load", ".out");
    try {
      Process process =
          new ProcessBuilder(shell).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!process.waitFor(length.toSeconds() + 60, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException("h2load did not end within " + length + " + 60 s");
      }
      String stdout = Files.readString(out);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "h2load exited with " + process.exitValue() + ":\n" + stdout);
      }
      return new Finished(stdout, H2loadOutput.childCpuSeconds(stdout));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + h2load + " (apt-get install nghttp2-client)", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
