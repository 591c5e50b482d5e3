package io.larder.registry.support;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceGrpc.CoreServiceBlockingStub;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.core.ReactorCoreServiceGrpc.ReactorCoreServiceStub;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc.ReactorRegistryExtServiceStub;
import io.larder.proto.larder.RegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtServiceGrpc.RegistryExtServiceBlockingStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext channel to the registry's gRPC server on 127.0.0.1 and stubs over it. A deadline is
 * absolute, so every accessor returns a fresh stub whose deadline starts now.
 */
public final class GrpcClients implements AutoCloseable {

  /** Deadline of every unary call. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final ManagedChannel channel;

  private GrpcClients(ManagedChannel channel) {
    this.channel = channel;
  }

  public static GrpcClients connect(int port) {
    return new GrpcClients(
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
  }

  /** Blocking CoreService stub; failures throw StatusRuntimeException. */
  public CoreServiceBlockingStub core() {
    return CoreServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Blocking RegistryExtService stub; failures throw StatusRuntimeException. */
  public RegistryExtServiceBlockingStub ext() {
    return RegistryExtServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reactor CoreService stub (the call starts on subscription, the deadline now). */
  public ReactorCoreServiceStub reactiveCore() {
    return ReactorCoreServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reactor RegistryExtService stub with a custom deadline (streams live longer than calls). */
  public ReactorRegistryExtServiceStub reactiveExt(Duration deadline) {
    return ReactorRegistryExtServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** ApplyEntity over the blocking stub; answers the stored entity. */
  public Entity apply(String project, EntitySpecV2 spec) {
    return core().applyEntity(RegistryFixtures.applyEntity(project, spec)).getEntity();
  }

  /** ApplyFeatureTable over the blocking stub; answers the stored table. */
  public FeatureTable apply(String project, FeatureTableSpec spec) {
    return core().applyFeatureTable(RegistryFixtures.applyTable(project, spec)).getTable();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
