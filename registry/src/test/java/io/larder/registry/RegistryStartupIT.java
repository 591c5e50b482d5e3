package io.larder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class RegistryStartupIT {

  @Autowired GrpcServerLifecycle grpcServer;
  @Autowired DatabaseClient database;

  private ManagedChannel channel;

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void answersFeastCoreVersionOverReactiveGrpc() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    ReactorCoreServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getFeastCoreVersion(GetFeastCoreVersionRequest.getDefaultInstance())
        .as(StepVerifier::create)
        .assertNext(response -> assertThat(response.getVersion()).isNotBlank())
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void reachesThePostgresStartedByTheStackScript() {
    Mono<Integer> answer =
        database.sql("select 1 as one").map(row -> row.get("one", Integer.class)).one();
    answer.as(StepVerifier::create).expectNext(1).expectComplete().verify(Duration.ofSeconds(15));
  }
}
