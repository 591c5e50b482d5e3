package io.larder.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Retries for reads only, nothing sent before subscription, errors naming service and address. */
class ReactiveLarderClientTest {

  private final String name = InProcessServerBuilder.generateName();
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger createCalls = new AtomicInteger();
  private Server server;
  private ReactiveLarderClient client;

  @BeforeEach
  void start() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new CoreServiceGrpc.CoreServiceImplBase() {
                  @Override
                  public void listProjects(
                      ListProjectsRequest request, StreamObserver<ListProjectsResponse> out) {
                    // Unavailable twice, then an answer.
                    if (listCalls.incrementAndGet() < 3) {
                      out.onError(
                          Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
                      return;
                    }
                    out.onNext(ListProjectsResponse.newBuilder().addProjects("rides").build());
                    out.onCompleted();
                  }

                  @Override
                  public void createProject(
                      CreateProjectRequest request, StreamObserver<CreateProjectResponse> out) {
                    createCalls.incrementAndGet();
                    out.onError(
                        Status.UNAVAILABLE.withDescription("going down").asRuntimeException());
                  }
                })
            .build()
            .start();
    LarderSettings settings =
        LarderSettings.defaults()
            .withRegistry("registry.test:6565")
            .withDeadline(Duration.ofSeconds(2))
            .withRetries(2);
    client =
        new ReactiveLarderClient(
            settings,
            InProcessChannelBuilder.forName(name).directExecutor().build(),
            InProcessChannelBuilder.forName(name).directExecutor().build(),
            InProcessChannelBuilder.forName(name).directExecutor().build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void readsAreRetriedWhileTheServiceIsUnavailable() {
    StepVerifier.create(client.listProjects())
        .expectNext("rides")
        .expectComplete()
        .verify(Duration.ofSeconds(10));
    assertThat(listCalls).hasValue(3);
  }

  @Test
  void writesAreNotRetriedAndNameTheServiceAndAddress() {
    var create = client.createProject("rides");
    assertThat(createCalls).as("nothing before subscription").hasValue(0);

    assertThatThrownBy(() -> create.block(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            LarderException.class,
            e -> {
              assertThat(e.unreachable()).isTrue();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "cannot reach the registry at registry.test:6565 (UNAVAILABLE: going down)");
            });
    assertThat(createCalls).hasValue(1);
  }

  @Test
  void featureReferencesMustBeTableColonFeature() {
    assertThat(ReactiveLarderClient.featureReference("t:f").getFeatureTable()).isEqualTo("t");
    assertThatThrownBy(() -> ReactiveLarderClient.featureReference("t:f:g"))
        .hasMessageContaining("is not table:feature");
    assertThatThrownBy(() -> ReactiveLarderClient.featureReference(":f"))
        .hasMessageContaining("is not table:feature");
  }
}
