package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.ReactorJobServiceGrpc;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.test.StepVerifier;

@SpringBootTest(properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class OrchestratorStartupIT {

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
  void servesTheFeastJobServiceWithUnbuiltRpcsSayingSo() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    ReactorJobServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .listJobs(ListJobsRequest.getDefaultInstance())
        .as(StepVerifier::create)
        .expectErrorSatisfies(
            error ->
                assertThat(Status.fromThrowable((StatusRuntimeException) error).getCode())
                    .isEqualTo(Status.Code.UNIMPLEMENTED))
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void reachesThePostgresStartedByTheStackScript() {
    database
        .sql("select current_database() as db")
        .map(row -> row.get("db", String.class))
        .one()
        .as(StepVerifier::create)
        .assertNext(db -> assertThat(db).isNotBlank())
        .expectComplete()
        .verify(Duration.ofSeconds(15));
  }
}
