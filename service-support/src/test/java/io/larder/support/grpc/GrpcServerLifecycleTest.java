package io.larder.support.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class GrpcServerLifecycleTest {

  private static GrpcServerProperties onPort(int port) {
    return new GrpcServerProperties(
        "127.0.0.1", port, DataSize.ofMegabytes(4), Duration.ofSeconds(2), true, true);
  }

  @Test
  void servesHealthOnAFreePortAndStopsCleanly() throws Exception {
    GrpcServerLifecycle lifecycle = new GrpcServerLifecycle(onPort(0), List.of(), List.of());
    lifecycle.start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", lifecycle.port()).usePlaintext().build();
    try {
      var status =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      assertThat(status).isEqualTo(ServingStatus.SERVING);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      lifecycle.stop();
    }
    assertThat(lifecycle.isRunning()).isFalse();
  }

  @Test
  void portInUseFailsStartWithAMessageNamingThePortSetting() {
    GrpcServerLifecycle first = new GrpcServerLifecycle(onPort(0), List.of(), List.of());
    first.start();
    try {
      GrpcServerLifecycle second =
          new GrpcServerLifecycle(onPort(first.port()), List.of(), List.of());
      assertThatThrownBy(second::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(":" + first.port())
          .hasMessageContaining("larder.grpc.port");
    } finally {
      first.stop();
    }
  }
}
