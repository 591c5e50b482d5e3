package io.larder.gateway.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.gateway.support.Answers;
import io.larder.gateway.support.GatewayClients;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.support.security.HttpCallers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunctions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/**
 * The NDJSON stream over a real Reactor Netty server, HTTP/1.1 and h2c with prior knowledge: a row
 * reaches the client as soon as the lookup emits it, not when the stream ends.
 */
class NdjsonStreamingTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final OnlineFeatureService features = mock(OnlineFeatureService.class);
  private DisposableServer server;

  @BeforeEach
  void start() {
    @SuppressWarnings("unchecked")
    ObjectProvider<org.springframework.boot.info.BuildProperties> noBuild =
        mock(ObjectProvider.class);
    OnlineFeaturesHttpHandler handler =
        new OnlineFeaturesHttpHandler(
            features,
            new GatewayMetrics(new SimpleMeterRegistry()),
            new ServingInfo(noBuild),
            LookupProperties.defaults(),
            new HttpCallers(null));
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
            .handle(
                new ReactorHttpHandlerAdapter(
                    RouterFunctions.toHttpHandler(new GatewayRoutes().onlineFeaturesApi(handler))))
            .bindNow(TIMEOUT);
  }

  @AfterEach
  void stop() {
    server.disposeNow(TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpProtocol.class,
      names = {"HTTP11", "H2C"})
  void eachRowIsFlushedAsItIsEmitted(HttpProtocol protocol) {
    Sinks.Many<OnlineAnswer> rows = Sinks.many().unicast().onBackpressureBuffer();
    when(features.answerInChunks(any(), any())).thenReturn(rows.asFlux());
    AtomicReference<String> version = new AtomicReference<>();

    HttpClient.create()
        .protocol(protocol)
        .post()
        .uri("http://127.0.0.1:" + server.port() + GatewayClients.STREAM)
        .send(
            ByteBufFlux.fromString(
                Mono.just(GatewayClients.json(OnlineFeaturesHttpHandlerTest.REQUEST))))
        .response(
            (response, body) -> {
              version.set(response.version().text());
              return body.asString();
            })
        .as(StepVerifier::create)
        .then(() -> rows.tryEmitNext(answer(7)))
        .assertNext(chunk -> assertThat(GatewayClients.parseNdjson(chunk)).containsExactly(row(7)))
        .then(() -> rows.tryEmitNext(answer(3)))
        .assertNext(chunk -> assertThat(GatewayClients.parseNdjson(chunk)).containsExactly(row(3)))
        .then(rows::tryEmitComplete)
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(version.get()).isEqualTo(protocol == HttpProtocol.H2C ? "HTTP/2.0" : "HTTP/1.1");
  }

  private static OnlineAnswer answer(int index) {
    return Answers.of(index, List.of(OnlineFeaturesHttpHandlerTest.RESPONSE.getFieldValues(0)));
  }

  private static StreamedFeatureRow row(int index) {
    return StreamedFeatureRow.newBuilder()
        .setRowIndex(index)
        .setRow(OnlineFeaturesHttpHandlerTest.RESPONSE.getFieldValues(0))
        .build();
  }
}
