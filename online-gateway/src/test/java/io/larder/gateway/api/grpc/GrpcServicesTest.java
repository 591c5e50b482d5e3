package io.larder.gateway.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.larder.gateway.GatewayException;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.gateway.support.Answers;
import io.larder.gateway.support.Specs;
import io.larder.proto.larder.ReactorStreamingServingServiceGrpc;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The gRPC edge over a real (loopback) gRPC server, run like production (direct executor), with the
 * lookup mocked: delegation, status mapping, metrics, and the reactive contracts of the stream
 * (nothing before subscribe, backpressure, cancellation).
 */
class GrpcServicesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final GetOnlineFeaturesRequestV2 REQUEST =
      Specs.request("p").features("t:f").row(Map.of("e", Specs.int64(1))).build();

  private final OnlineFeatureService features = mock(OnlineFeatureService.class);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ServingGrpcService serving;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    @SuppressWarnings("unchecked")
    ObjectProvider<org.springframework.boot.info.BuildProperties> noBuild =
        mock(ObjectProvider.class);
    GatewayMetrics metrics = new GatewayMetrics(meters);
    serving =
        new ServingGrpcService(
            features, metrics, new ServingInfo(noBuild), LookupProperties.defaults());
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(ServerInterceptors.intercept(serving, GrpcAuthentication.off()))
            .addService(
                ServerInterceptors.intercept(
                    new StreamingGrpcService(features, metrics, LookupProperties.defaults()),
                    GrpcAuthentication.off()))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void servingInfoSaysOnline() {
    assertThat(
            ServingServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance())
                .getType())
        .isEqualTo(FeastServingType.FEAST_SERVING_TYPE_ONLINE);
  }

  @Test
  void getOnlineFeaturesDelegatesAndCounts() {
    GetOnlineFeaturesResponse response =
        GetOnlineFeaturesResponse.newBuilder().addFieldValues(row(0)).build();
    when(features.answer(eq(REQUEST), any())).thenReturn(Mono.just(Answers.of(response)));

    assertThat(blocking().getOnlineFeaturesV2(REQUEST)).isEqualTo(response);
    assertThat(timerCount("grpc", "OK")).isEqualTo(1);
    assertThat(meters.get("larder.gateway.features").tag("api", "grpc").counter().count())
        .isEqualTo(1);
  }

  @Test
  void nothingIsLookedUpBeforeSubscription() throws Exception {
    when(features.answer(any(), any())).thenReturn(Mono.empty());
    when(features.answerInChunks(any(), any())).thenReturn(Flux.empty());
    StreamingGrpcService streaming =
        new StreamingGrpcService(
            features, new GatewayMetrics(new SimpleMeterRegistry()), LookupProperties.defaults());

    // As the server's interceptor would: the caller is read where the call starts.
    Context anyone = GrpcAuthentication.withCaller(Caller.ANYONE);
    Mono<?> unary = anyone.wrap(() -> serving.getOnlineFeaturesV2(REQUEST)).call();
    Flux<?> stream = anyone.wrap(() -> streaming.streamOnlineFeatures(REQUEST)).call();

    verify(features, never()).getOnlineFeatures(any());
    verify(features, never()).streamOnlineFeatures(any());
    unary.block(TIMEOUT);
    stream.blockLast(TIMEOUT);
    verify(features).answer(eq(REQUEST), any());
    verify(features).answerInChunks(eq(REQUEST), any());
  }

  @Test
  void failuresBecomeTheirGrpcStatus() {
    when(features.answer(any(), any()))
        .thenReturn(Mono.error(GatewayException.invalid("entity_rows[0]: missing entity 'e'")))
        .thenReturn(Mono.error(GatewayException.notFound("project 'p' is not registered")))
        .thenReturn(
            Mono.error(new OnlineStoreUnavailableException("redis down", new RuntimeException())))
        .thenReturn(Mono.error(new IllegalStateException("a bug with a secret")))
        .thenThrow(new IllegalStateException("thrown while assembling"));

    assertStatus(Status.Code.INVALID_ARGUMENT, "entity_rows[0]: missing entity 'e'");
    assertStatus(Status.Code.NOT_FOUND, "project 'p' is not registered");
    assertStatus(Status.Code.UNAVAILABLE, "redis down");
    assertStatus(Status.Code.INTERNAL, "internal error in the gateway; see its log");
    assertStatus(Status.Code.INTERNAL, "internal error in the gateway; see its log");

    assertThat(timerCount("grpc", "INVALID_ARGUMENT")).isEqualTo(1);
    assertThat(timerCount("grpc", "UNAVAILABLE")).isEqualTo(1);
    assertThat(timerCount("grpc", "INTERNAL")).isEqualTo(2);
  }

  @Test
  void streamFailureBecomesItsStatus() {
    when(features.answerInChunks(any(), any()))
        .thenReturn(Flux.error(GatewayException.notFound("feature table 'x' is not registered")));

    streaming()
        .streamOnlineFeatures(REQUEST)
        .as(StepVerifier::create)
        .expectErrorSatisfies(
            error -> {
              assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(Status.fromThrowable(error).getDescription())
                  .isEqualTo("feature table 'x' is not registered");
            })
        .verify(TIMEOUT);
  }

  @Test
  void streamDeliversEveryRowAndCountsThem() {
    when(features.answerInChunks(any(), any()))
        .thenReturn(Flux.range(0, 100).map(GrpcServicesTest::streamed));

    streaming()
        .streamOnlineFeatures(REQUEST)
        .map(StreamedFeatureRow::getRowIndex)
        .as(StepVerifier::create)
        .expectNextSequence(Flux.range(0, 100).toIterable())
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(timerCount("grpc_stream", "OK")).isEqualTo(1);
    assertThat(meters.get("larder.gateway.rows").tag("api", "grpc_stream").counter().count())
        .isEqualTo(100);
  }

  @Test
  void aSlowStreamReaderHoldsTheLookupBack() throws InterruptedException {
    AtomicInteger produced = new AtomicInteger();
    // 1 KB rows: gRPC's flow-control windows fill after some tens of them.
    when(features.answerInChunks(any(), any()))
        .thenReturn(
            Flux.range(0, 100_000)
                .map(GrpcServicesTest::bigRow)
                .doOnNext(r -> produced.incrementAndGet()));
    CountDownLatch firstRow = new CountDownLatch(1);
    BaseSubscriber<StreamedFeatureRow> slowReader =
        new BaseSubscriber<>() {
          @Override
          protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
            request(1);
          }

          @Override
          protected void hookOnNext(StreamedFeatureRow value) {
            firstRow.countDown();
          }
        };

    streaming().streamOnlineFeatures(REQUEST).subscribe(slowReader);
    assertThat(firstRow.await(10, TimeUnit.SECONDS)).isTrue();
    int[] last = {-1};
    await("production stalls")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              int now = produced.get();
              boolean stalled = now == last[0];
              last[0] = now;
              return stalled;
            });

    // What the flow-control windows and prefetch buffers hold, far from all 100 000 rows.
    assertThat(produced.get()).as("rows produced for a reader that took one").isLessThan(5_000);
    slowReader.dispose();
  }

  @Test
  void cancellingTheStreamCancelsTheLookup() throws InterruptedException {
    CountDownLatch cancelled = new CountDownLatch(1);
    when(features.answerInChunks(any(), any()))
        .thenReturn(
            Flux.concat(Flux.just(streamed(0)), Flux.<OnlineAnswer>never())
                .doOnCancel(cancelled::countDown));

    streaming()
        .streamOnlineFeatures(REQUEST)
        .take(1)
        .as(StepVerifier::create)
        .expectNextCount(1)
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("lookup cancelled").isTrue();
    // The metric ends as CANCELLED once the server has seen the cancellation.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (timerCount("grpc_stream", "CANCELLED") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(timerCount("grpc_stream", "CANCELLED")).isEqualTo(1);
  }

  private void assertStatus(Status.Code code, String description) {
    Throwable error = catchThrowable(() -> blocking().getOnlineFeaturesV2(REQUEST));
    assertThat(Status.fromThrowable(error).getCode()).isEqualTo(code);
    assertThat(Status.fromThrowable(error).getDescription()).isEqualTo(description);
  }

  private ServingServiceGrpc.ServingServiceBlockingStub blocking() {
    return ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ReactorStreamingServingServiceGrpc.ReactorStreamingServingServiceStub streaming() {
    return ReactorStreamingServingServiceGrpc.newReactorStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @SuppressWarnings("unused")
  private ReactorServingServiceGrpc.ReactorServingServiceStub reactiveServing() {
    return ReactorServingServiceGrpc.newReactorStub(channel);
  }

  private long timerCount(String api, String outcome) {
    var timer =
        meters.find("larder.gateway.requests").tag("api", api).tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  private static FieldValues row(long entity) {
    return FieldValues.newBuilder()
        .putFields("e", Specs.int64(entity))
        .putStatuses("e", FieldStatus.PRESENT)
        .putFields("t:f", Specs.int64(entity * 10))
        .putStatuses("t:f", FieldStatus.PRESENT)
        .build();
  }

  private static OnlineAnswer streamed(int index) {
    return Answers.of(index, List.of(row(index)));
  }

  private static OnlineAnswer bigRow(int index) {
    return Answers.of(
        index,
        List.of(
            FieldValues.newBuilder()
                .putFields(
                    "t:f",
                    Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[1024])).build())
                .putStatuses("t:f", FieldStatus.PRESENT)
                .build()));
  }
}
