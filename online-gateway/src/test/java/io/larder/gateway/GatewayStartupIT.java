package io.larder.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStore;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      // No registry runs for this test: do not wait long for one at start-up.
      "larder.registry.startup-timeout=1s"
    })
class GatewayStartupIT {

  @Autowired GrpcServerLifecycle grpcServer;
  @Autowired OnlineStore onlineStore;

  private ManagedChannel channel;

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void answersServingInfoAsAnOnlineServer() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    ReactorServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance())
        .as(StepVerifier::create)
        .assertNext(
            info ->
                assertThat(info.getType()).isEqualTo(FeastServingType.FEAST_SERVING_TYPE_ONLINE))
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void readsFromTheRedisStartedByTheStackScript() {
    byte[] key = ("larder-test:startup:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    byte[] field = "f".getBytes(StandardCharsets.UTF_8);
    byte[] absent = "absent".getBytes(StandardCharsets.UTF_8);
    RedisClient client =
        RedisClient.create(
            "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379"));
    try (StatefulRedisConnection<byte[], byte[]> writer = client.connect(ByteArrayCodec.INSTANCE)) {
      writer.sync().hset(key, field, "v".getBytes(StandardCharsets.UTF_8));
      try {
        // The store connects in the background; retry briefly rather than race it.
        onlineStore
            .read(List.of(new HashRead(key, List.of(field, absent))))
            .retryWhen(Retry.fixedDelay(50, Duration.ofMillis(100)))
            .map(rows -> rows.get(0))
            .as(StepVerifier::create)
            .assertNext(
                values -> {
                  assertThat(values).hasSize(2);
                  assertThat(new String(values.get(0), StandardCharsets.UTF_8)).isEqualTo("v");
                  assertThat(values.get(1)).isNull();
                })
            .expectComplete()
            .verify(Duration.ofSeconds(10));
      } finally {
        writer.sync().del(key);
      }
    } finally {
      client.shutdown();
    }
  }
}
