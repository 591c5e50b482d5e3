package io.larder.sdk;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A blocking client of the registry and the online gateway, for scripts and the CLI. */
public final class LarderClient implements AutoCloseable {

  private final ManagedChannel registry;
  private final ManagedChannel serving;
  private final Duration deadline;

  public LarderClient(ManagedChannel registry, ManagedChannel serving, Duration deadline) {
    this.registry = registry;
    this.serving = serving;
    this.deadline = deadline;
  }

  /** Plain-text channels to {@code host:port} targets, e.g. {@code localhost:6565}. */
  public static LarderClient connect(
      String registryTarget, String servingTarget, Duration deadline) {
    return new LarderClient(plaintext(registryTarget), plaintext(servingTarget), deadline);
  }

  private static ManagedChannel plaintext(String target) {
    return NettyChannelBuilder.forTarget(target).usePlaintext().build();
  }

  public String registryVersion() {
    return CoreServiceGrpc.newBlockingStub(registry)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getFeastCoreVersion(GetFeastCoreVersionRequest.getDefaultInstance())
        .getVersion();
  }

  public GetFeastServingInfoResponse servingInfo() {
    return ServingServiceGrpc.newBlockingStub(serving)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance());
  }

  @Override
  public void close() throws InterruptedException {
    registry.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    serving.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
