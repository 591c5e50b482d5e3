package io.larder.loadtest.faults;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.loadtest.shape.ShapeOptions;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.sdk.cli.DurationConverter;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * PostgreSQL stopped under load, as an operator would meet it: while the registry is read over
 * gRPC, its readiness probed over HTTP and the gateway asked for features, PostgreSQL is stopped
 * for {@code --outage} and started again ({@code scripts/stack}); then a table of what each saw
 * before, during and after, and how long the registry took to fail and to recover.
 */
@Command(
    name = "postgres-outage",
    mixinStandardHelpOptions = true,
    description = "Stops PostgreSQL under load and reports how the registry and gateway behave.")
public final class PostgresOutageRun implements Callable<Integer> {

  @Mixin ShapeOptions shapeOptions;

  @Option(names = "--registry", defaultValue = "127.0.0.1:6565", description = "gRPC host:port.")
  String registry;

  @Option(
      names = "--registry-http",
      defaultValue = "http://127.0.0.1:8080",
      description = "The registry's HTTP base URL (readiness).")
  String registryHttp;

  @Option(names = "--gateway", defaultValue = "127.0.0.1:6566", description = "gRPC host:port.")
  String gateway;

  @Option(
      names = "--outage",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long PostgreSQL stays stopped (default: ${DEFAULT-VALUE}).")
  Duration outage;

  @Option(
      names = "--settle",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Load before the stop and after the start (default: ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(
      names = "--stack",
      defaultValue = "scripts/stack",
      description = "The stack script that stops and starts PostgreSQL.")
  String stack;

  @Option(names = "--out", defaultValue = ".", description = "Where the stack script's log goes.")
  File out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PostgresOutageRun()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchmarkShape shape = shapeOptions.shape();
    OnlineRequests lookups = new OnlineRequests(shape, 10, shape.totalFeatures());
    GetEntityRequest read =
        GetEntityRequest.newBuilder()
            .setProject(shape.project())
            .setName(shape.entityName())
            .build();
    ManagedChannel registryChannel = NettyChannelBuilder.forTarget(registry).usePlaintext().build();
    ManagedChannel gatewayChannel = NettyChannelBuilder.forTarget(gateway).usePlaintext().build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Timeline timeline = new Timeline();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService loops = Executors.newFixedThreadPool(3);
    try {
      loops.submit(
          every(
              running,
              Duration.ofMillis(20),
              () ->
                  timeline.record(
                      "registry",
                      call(
                          () ->
                              CoreServiceGrpc.newBlockingStub(registryChannel)
                                  .withDeadlineAfter(2, TimeUnit.SECONDS)
                                  .getEntity(read)))));
      loops.submit(
          every(
              running,
              Duration.ofMillis(100),
              () -> timeline.record("readiness", readiness(http))));
      loops.submit(
          every(
              running,
              Duration.ofMillis(20),
              () ->
                  timeline.record(
                      "gateway",
                      call(
                          () ->
                              ServingServiceGrpc.newBlockingStub(gatewayChannel)
                                  .withDeadlineAfter(2, TimeUnit.SECONDS)
                                  .getOnlineFeaturesV2(lookups.next())))));
      Thread.sleep(settle.toMillis());
      timeline.mark(Phase.OUTAGE);
      stack("stop");
      long stopped = System.nanoTime();
      Thread.sleep(outage.toMillis());
      timeline.mark(Phase.RECOVERY);
      stack("start");
      long started = System.nanoTime();
      Thread.sleep(settle.toMillis());
      running.set(false);
      loops.shutdown();
      loops.awaitTermination(10, TimeUnit.SECONDS);
      timeline.print(System.out, stopped, started, outage);
      return 0;
    } finally {
      running.set(false);
      loops.shutdownNow();
      registryChannel.shutdownNow();
      gatewayChannel.shutdownNow();
    }
  }

  enum Phase {
    BEFORE,
    OUTAGE,
    RECOVERY
  }

  /** One observation: which loop, when it ended, its outcome and how long it took. */
  record Sample(String loop, Phase phase, long endNanos, String outcome, long micros) {}

  /** An outcome and its duration. */
  record Outcome(String code, long micros) {}

  static final class Timeline {
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private volatile Phase phase = Phase.BEFORE;

    void mark(Phase next) {
      phase = next;
    }

    void record(String loop, Outcome outcome) {
      samples.add(new Sample(loop, phase, System.nanoTime(), outcome.code(), outcome.micros()));
    }

    void print(java.io.PrintStream out, long stopped, long started, Duration outage) {
      out.printf(
          Locale.ROOT,
          "PostgreSQL stopped for %s under load (registry GetEntity and gateway lookups every 20 ms,"
              + " readiness every 100 ms)%n",
          outage);
      out.printf(
          Locale.ROOT,
          "%-10s %-9s | %7s | %-44s | %s%n",
          "loop",
          "phase",
          "calls",
          "outcomes",
          "latency of the non-OK calls p50 / p99 / max ms");
      for (String loop : List.of("registry", "readiness", "gateway")) {
        for (Phase phase : Phase.values()) {
          List<Sample> of =
              samples.stream().filter(s -> s.loop().equals(loop) && s.phase() == phase).toList();
          List<Long> failed =
              of.stream()
                  .filter(s -> !s.outcome().equals("OK"))
                  .map(Sample::micros)
                  .sorted()
                  .toList();
          out.printf(
              Locale.ROOT,
              "%-10s %-9s | %7d | %-44s | %s%n",
              loop,
              phase.name().toLowerCase(Locale.ROOT),
              of.size(),
              counts(of),
              failed.isEmpty()
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.1f / %.1f / %.1f",
                      percentile(failed, 50) / 1000.0,
                      percentile(failed, 99) / 1000.0,
                      failed.get(failed.size() - 1) / 1000.0));
        }
      }
      out.printf(
          Locale.ROOT,
          "registry: first non-OK answer %s after the stop; first OK %s after the start%n",
          firstAfter("registry", stopped, false),
          firstAfter("registry", started, true));
      out.printf(
          Locale.ROOT,
          "readiness: DOWN %s after the stop; UP %s after the start%n",
          firstAfter("readiness", stopped, false),
          firstAfter("readiness", started, true));
    }

    private String firstAfter(String loop, long from, boolean ok) {
      return samples.stream()
          .filter(s -> s.loop().equals(loop) && s.endNanos() >= from)
          .filter(s -> s.outcome().equals("OK") == ok)
          .mapToLong(Sample::endNanos)
          .min()
          .stream()
          .mapToObj(t -> String.format(Locale.ROOT, "%.0f ms", (t - from) / 1e6))
          .findFirst()
          .orElse("never");
    }

    private static String counts(List<Sample> of) {
      java.util.Map<String, Long> byOutcome = new java.util.TreeMap<>();
      of.forEach(s -> byOutcome.merge(s.outcome(), 1L, Long::sum));
      return byOutcome.toString();
    }

    private static long percentile(List<Long> sorted, double percentile) {
      int index = (int) Math.ceil(percentile / 100 * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
  }

  private static Runnable every(AtomicBoolean running, Duration period, Runnable action) {
    return () -> {
      long next = System.nanoTime();
      while (running.get()) {
        action.run();
        next += period.toNanos();
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    };
  }

  private static Outcome call(Runnable call) {
    long started = System.nanoTime();
    String code;
    try {
      call.run();
      code = "OK";
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode().name();
    }
    return new Outcome(code, (System.nanoTime() - started) / 1000);
  }

  private Outcome readiness(HttpClient http) {
    long started = System.nanoTime();
    String code;
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(registryHttp + "/actuator/health/readiness"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      code = response.statusCode() == 200 ? "OK" : "HTTP_" + response.statusCode();
    } catch (Exception e) {
      code = e.getClass().getSimpleName();
    }
    return new Outcome(code, (System.nanoTime() - started) / 1000);
  }

  private void stack(String action) throws Exception {
    Process process =
        new ProcessBuilder(stack, action, "postgres")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(new File(out, "postgres-outage-stack.log")))
            .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(stack + " " + action + " postgres took over 90 s");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(stack + " " + action + " postgres failed");
    }
  }
}
