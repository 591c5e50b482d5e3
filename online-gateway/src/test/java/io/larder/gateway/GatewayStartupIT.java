package io.larder.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.test.StepVerifier;

@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class GatewayStartupIT {

  @Autowired GrpcServerLifecycle grpcServer;
  @Autowired StatefulRedisConnection<byte[], byte[]> redis;

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
  void reachesTheRedisStartedByTheStackScript() {
    redis
        .reactive()
        .ping()
        .as(StepVerifier::create)
        .expectNext("PONG")
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }
}
