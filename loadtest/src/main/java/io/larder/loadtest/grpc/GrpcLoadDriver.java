package io.larder.loadtest.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.driver.LoadOptions;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.loadtest.shape.ShapeOptions;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.sdk.cli.DurationConverter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The open-model gRPC load driver for the gateway (Gatling's gRPC plugin is not available here):
 * fixed arrival rate with latency from the intended send time, or a closed loop for saturation; a
 * deadline on every call; async stubs; random entity ids from the generated range.
 */
@Command(
    name = "grpc-load-driver",
    mixinStandardHelpOptions = true,
    description = "Drives GetOnlineFeaturesV2 (or StreamOnlineFeatures) on the gateway.")
public final class GrpcLoadDriver implements Callable<Integer> {

  /** Which RPC to call. */
  enum Api {
    grpc,
    grpc_stream
  }

  @Mixin ShapeOptions shapeOptions;
  @Mixin LoadOptions load;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:6566",
      description = "Gateway gRPC host:port (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--api",
      defaultValue = "grpc",
      description =
          "grpc (ServingService/GetOnlineFeaturesV2) or grpc_stream"
              + " (StreamingServingService/StreamOnlineFeatures) (default: ${DEFAULT-VALUE}).")
  Api api;

  @Option(
      names = "--label",
      defaultValue = "gateway",
      description =
          "Name of the target in the RESULT line: gateway, or floor for the canned server"
              + " (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(
      names = "--channels",
      defaultValue = "1",
      description = "HTTP/2 connections, used round-robin (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(
      names = "--await-ready",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Before measuring, retry one request until it answers with present values, for at most"
              + " this long (default: ${DEFAULT-VALUE}; 0 = don't wait).")
  Duration awaitReady;

  public static void main(String[] args) {
    System.exit(new CommandLine(new GrpcLoadDriver()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    BenchmarkShape shape = shapeOptions.shape();
    List<ManagedChannel> pool = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      pool.add(
          NettyChannelBuilder.forTarget(target)
              .usePlaintext()
              // Completions are cheap (a count and a histogram entry): run them on the I/O thread.
              .directExecutor()
              .maxInboundMessageSize(64 * 1024 * 1024)
              .build());
    }
    try {
      if (!awaitReady.isZero() && !awaitReady(pool.get(0), shape)) {
        return 2;
      }
      AtomicInteger next = new AtomicInteger();
      load.runEach(
          shape,
          label,
          api.name(),
          requests -> {
            ResponseCheck check =
                new ResponseCheck(requests.rows(), shape.featureRefs(requests.features()));
            return () ->
                send(
                    pool.get(Math.floorMod(next.getAndIncrement(), pool.size())),
                    requests.next(),
                    check);
          },
          GrpcLoadDriver::classify);
    } finally {
      for (ManagedChannel channel : pool) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    return 0;
  }

  private CompletableFuture<CallResult> send(
      ManagedChannel channel, GetOnlineFeaturesRequestV2 request, ResponseCheck check) {
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(load.deadline().toNanos(), TimeUnit.NANOSECONDS);
    CompletableFuture<CallResult> result = new CompletableFuture<>();
    if (api == Api.grpc) {
      ClientCalls.asyncUnaryCall(
          channel.newCall(RawResponses.GET_ONLINE_FEATURES, options),
          request,
          new UnaryObserver(result, check));
    } else {
      ClientCalls.asyncServerStreamingCall(
          channel.newCall(RawResponses.STREAM_ONLINE_FEATURES, options),
          request,
          new StreamObserverOfRows(result, check));
    }
    return result;
  }

  /** Gateways that just started may still be loading specs: wait until one lookup finds data. */
  private boolean awaitReady(ManagedChannel channel, BenchmarkShape shape)
      throws InterruptedException {
    OnlineRequests probe = new OnlineRequests(shape, 1, load.features(shape));
    ResponseCheck check = new ResponseCheck(1, shape.featureRefs(load.features(shape)));
    long until = System.nanoTime() + awaitReady.toNanos();
    String last = "no answer";
    while (System.nanoTime() < until) {
      try {
        GetOnlineFeaturesResponse response =
            ServingServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .getOnlineFeaturesV2(probe.next());
        CallResult result = check.check(response.getFieldValuesCount(), response.getFieldValues(0));
        if (result.valuesPresent() > 0) {
          return true;
        }
        last = "answered, but no feature value PRESENT (data not generated for this project?)";
      } catch (RuntimeException e) {
        last = classify(e) + ": " + e.getMessage();
      }
      Thread.sleep(500);
    }
    System.err.printf("gateway at %s not ready after %s: %s%n", target, awaitReady, last);
    return false;
  }

  static String classify(Throwable error) {
    if (error instanceof ResponseCheck.WrongAnswerException) {
      return "WRONG_ANSWER";
    }
    return Status.fromThrowable(error).getCode().name();
  }

  private record UnaryObserver(CompletableFuture<CallResult> result, ResponseCheck check)
      implements StreamObserver<byte[]> {

    @Override
    public void onNext(byte[] response) {
      try {
        RawResponses.Summary summary = RawResponses.summarizeResponse(response);
        result.complete(check.check(summary.rows(), summary.firstRow()));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      if (!result.isDone()) {
        result.completeExceptionally(
            Status.INTERNAL.withDescription("completed without a response").asRuntimeException());
      }
    }
  }

  /** Counts streamed rows; checks the first one to arrive. Called serially by gRPC. */
  private static final class StreamObserverOfRows implements StreamObserver<byte[]> {
    private final CompletableFuture<CallResult> result;
    private final ResponseCheck check;
    private int rows;
    private byte[] first;

    StreamObserverOfRows(CompletableFuture<CallResult> result, ResponseCheck check) {
      this.result = result;
      this.check = check;
    }

    @Override
    public void onNext(byte[] row) {
      if (rows++ == 0) {
        first = row;
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      try {
        result.complete(check.check(rows, first == null ? null : RawResponses.streamedRow(first)));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }
}
