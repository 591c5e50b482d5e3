package io.larder.loadtest.http;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.driver.LoadOptions;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.loadtest.shape.ShapeOptions;
import io.larder.sdk.cli.DurationConverter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The gateway's HTTP API under the same load models as the gRPC driver: POST
 * /api/v1/features/online (one JSON GetOnlineFeaturesResponse) or /api/v1/features/online/stream
 * (NDJSON, one StreamedFeatureRow per line), the request body the protobuf JSON of
 * GetOnlineFeaturesRequestV2. HTTP/2 without TLS, prior knowledge (h2c), over a few connections.
 * Every 200 answer is checked ({@link JsonAnswerScan}); other statuses count as {@code HTTP_<code>}
 * errors.
 */
@Command(
    name = "http-load-driver",
    mixinStandardHelpOptions = true,
    description = "Drives the gateway's HTTP JSON or NDJSON endpoint over h2c.")
public final class HttpLoadDriver implements Callable<Integer> {

  /** Which endpoint to call. */
  enum Api {
    http_json("/api/v1/features/online", "application/json"),
    http_ndjson("/api/v1/features/online/stream", "application/x-ndjson");

    final String path;
    final String accept;

    Api(String path, String accept) {
      this.path = path;
      this.accept = accept;
    }
  }

  @Mixin ShapeOptions shapeOptions;
  @Mixin LoadOptions load;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8081",
      description = "Gateway HTTP base URL, http only (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(
      names = "--api",
      defaultValue = "http_json",
      description =
          "http_json (POST /api/v1/features/online) or http_ndjson (POST"
              + " /api/v1/features/online/stream) (default: ${DEFAULT-VALUE}).")
  Api api;

  @Option(
      names = "--label",
      defaultValue = "gateway",
      description = "Name of the target in the RESULT line (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(
      names = "--connections",
      defaultValue = "4",
      description = "h2c connections, used round-robin (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--io-threads",
      defaultValue = "2",
      description = "Event-loop threads of the client (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(
      names = "--await-ready",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Before measuring, retry one request until it answers with present values, for at most"
              + " this long (default: ${DEFAULT-VALUE}; 0 = don't wait).")
  Duration awaitReady;

  public static void main(String[] args) {
    System.exit(new CommandLine(new HttpLoadDriver()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!"http".equals(url.getScheme())) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--url must be http://host:port (h2c), got " + url);
    }
    BenchmarkShape shape = shapeOptions.shape();
    int port = url.getPort() < 0 ? 80 : url.getPort();
    try (H2cClient client =
        H2cClient.connect(url.getHost(), port, connections, Math.max(1, ioThreads))) {
      if (!awaitReady.isZero() && !awaitReady(client, shape)) {
        return 2;
      }
      load.runEach(
          shape,
          label,
          api.name(),
          requests -> {
            String[] featureKeys = featureKeys(shape, requests.features());
            JsonRequestBodies bodies = new JsonRequestBodies(requests, shape.entities());
            return () -> send(client, bodies.next(), requests.rows(), featureKeys);
          },
          HttpLoadDriver::classify);
    }
    return 0;
  }

  private CompletableFuture<CallResult> send(
      H2cClient client, byte[] body, int rows, String[] featureKeys) {
    boolean ndjson = api == Api.http_ndjson;
    return client.post(
        api.path,
        "application/json",
        api.accept,
        body,
        load.deadline().toNanos(),
        scan -> scan.result(rows, ndjson, featureKeys));
  }

  /** Gateways that just started may still be loading specs: wait until one lookup finds data. */
  private boolean awaitReady(H2cClient client, BenchmarkShape shape) throws InterruptedException {
    OnlineRequests probe = new OnlineRequests(shape, 1, load.features(shape));
    String[] featureKeys = featureKeys(shape, probe.features());
    long until = System.nanoTime() + awaitReady.toNanos();
    String last = "no answer";
    while (System.nanoTime() < until) {
      try {
        byte[] body = probe.nextJson().getBytes(StandardCharsets.UTF_8);
        CallResult result = send(client, body, 1, featureKeys).get(5, TimeUnit.SECONDS);
        if (result.valuesPresent() > 0) {
          return true;
        }
        last = "answered, but no feature value PRESENT (data not generated for this project?)";
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        last = classify(cause) + ": " + cause.getMessage();
      }
      Thread.sleep(500);
    }
    System.err.printf("gateway at %s not ready after %s: %s%n", url, awaitReady, last);
    return false;
  }

  static String[] featureKeys(BenchmarkShape shape, int features) {
    return shape.featureRefs(features).stream()
        .map(f -> f.getFeatureTable() + ":" + f.getName())
        .toArray(String[]::new);
  }

  static String classify(Throwable error) {
    if (error instanceof H2cClient.HttpCallException) {
      return ((H2cClient.HttpCallException) error).code();
    }
    if (error instanceof JsonAnswerScan.WrongAnswerException) {
      return "WRONG_ANSWER";
    }
    return error.getClass().getSimpleName();
  }
}
