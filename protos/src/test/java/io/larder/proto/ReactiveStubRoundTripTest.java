package io.larder.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.larder.proto.larder.ReactorStreamingServingServiceGrpc;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The generated Reactor stubs, server and client, over an in-process channel. */
class ReactiveStubRoundTripTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Echoes each entity row's fields back as PRESENT features. */
  private static FieldValues echo(GetOnlineFeaturesRequestV2.EntityRow row) {
    FieldValues.Builder values = FieldValues.newBuilder().putAllFields(row.getFieldsMap());
    row.getFieldsMap().keySet().forEach(name -> values.putStatuses(name, FieldStatus.PRESENT));
    return values.build();
  }

  private final AtomicInteger rowsEmitted = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                new ReactorServingServiceGrpc.ServingServiceImplBase() {
                  @Override
                  public Mono<GetOnlineFeaturesResponse> getOnlineFeaturesV2(
                      Mono<GetOnlineFeaturesRequestV2> request) {
                    return request.map(
                        r -> {
                          if (r.getEntityRowsCount() == 0) {
                            throw Status.INVALID_ARGUMENT
                                .withDescription("entity_rows is empty")
                                .asRuntimeException();
                          }
                          GetOnlineFeaturesResponse.Builder response =
                              GetOnlineFeaturesResponse.newBuilder();
                          r.getEntityRowsList().forEach(row -> response.addFieldValues(echo(row)));
                          return response.build();
                        });
                  }
                })
            .addService(
                new ReactorStreamingServingServiceGrpc.StreamingServingServiceImplBase() {
                  @Override
                  public Flux<StreamedFeatureRow> streamOnlineFeatures(
                      Mono<GetOnlineFeaturesRequestV2> request) {
                    return request.flatMapMany(
                        r ->
                            Flux.range(0, r.getEntityRowsCount())
                                .doOnNext(ignored -> rowsEmitted.incrementAndGet())
                                .map(
                                    i ->
                                        StreamedFeatureRow.newBuilder()
                                            .setRowIndex(i)
                                            .setRow(echo(r.getEntityRows(i)))
                                            .build()));
                  }
                })
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static GetOnlineFeaturesRequestV2 requestWithRows(int rows) {
    GetOnlineFeaturesRequestV2.Builder request = GetOnlineFeaturesRequestV2.newBuilder();
    for (int i = 0; i < rows; i++) {
      request
          .addEntityRowsBuilder()
          .putFields("driver_id", Value.newBuilder().setInt64Val(i).build());
    }
    return request.build();
  }

  @Test
  void unaryCallRoundTripsThroughReactorStubs() {
    ReactorServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getOnlineFeaturesV2(requestWithRows(2))
        .as(StepVerifier::create)
        .assertNext(
            response -> {
              assertThat(response.getFieldValuesCount()).isEqualTo(2);
              assertThat(response.getFieldValues(1).getFieldsMap().get("driver_id").getInt64Val())
                  .isEqualTo(1);
              assertThat(response.getFieldValues(1).getStatusesMap())
                  .containsEntry("driver_id", FieldStatus.PRESENT);
            })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void serverErrorsArriveAsTheirGrpcStatus() {
    ReactorServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getOnlineFeaturesV2(GetOnlineFeaturesRequestV2.getDefaultInstance())
        .as(StepVerifier::create)
        .expectErrorSatisfies(
            error -> {
              Status status = Status.fromThrowable(error);
              assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(status.getDescription()).isEqualTo("entity_rows is empty");
            })
        .verify(TIMEOUT);
  }

  @Test
  void serverStreamingHonoursClientDemand() {
    var rows =
        ReactorStreamingServingServiceGrpc.newReactorStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .streamOnlineFeatures(requestWithRows(1_000));

    StepVerifier.create(rows, 3)
        .expectNextCount(3)
        .thenAwait(Duration.ofMillis(200))
        .then(() -> assertThat(rowsEmitted.get()).isLessThan(1_000))
        .thenRequest(Long.MAX_VALUE)
        .expectNextCount(997)
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(rowsEmitted.get()).isEqualTo(1_000);
  }
}
