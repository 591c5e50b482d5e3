package io.larder.gateway.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.larder.gateway.GatewayException;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.gateway.support.Answers;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.Specs;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.support.security.HttpCallers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP edge alone (the lookup is a mock): protobuf JSON in and out, NDJSON framing, the problem
 * answers and their status codes, and the request metrics.
 */
class OnlineFeaturesHttpHandlerTest {

  private static final int BODY_LIMIT = 4096;

  private final OnlineFeatureService features = mock(OnlineFeatureService.class);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private WebTestClient http;

  static final GetOnlineFeaturesRequestV2 REQUEST =
      Specs.request("p")
          .features("driver_stats:trips", "driver_stats:rating")
          .row(Map.of("driver_id", Specs.int64(1)))
          .row(Map.of("driver_id", Specs.int64(2)))
          .build();

  static final GetOnlineFeaturesResponse RESPONSE =
      GetOnlineFeaturesResponse.newBuilder()
          .addFieldValues(
              row(1, Specs.int64(10), FieldStatus.PRESENT, Specs.float64(4.5), FieldStatus.PRESENT))
          .addFieldValues(
              row(
                  2,
                  io.larder.proto.types.ValueProto.Value.getDefaultInstance(),
                  FieldStatus.NOT_FOUND,
                  io.larder.proto.types.ValueProto.Value.getDefaultInstance(),
                  FieldStatus.OUTSIDE_MAX_AGE))
          .build();

  static FieldValues row(
      long driver,
      io.larder.proto.types.ValueProto.Value trips,
      FieldStatus tripsStatus,
      io.larder.proto.types.ValueProto.Value rating,
      FieldStatus ratingStatus) {
    return FieldValues.newBuilder()
        .putFields("driver_id", Specs.int64(driver))
        .putStatuses("driver_id", FieldStatus.PRESENT)
        .putFields("driver_stats:trips", trips)
        .putStatuses("driver_stats:trips", tripsStatus)
        .putFields("driver_stats:rating", rating)
        .putStatuses("driver_stats:rating", ratingStatus)
        .build();
  }

  @BeforeEach
  void bind() {
    @SuppressWarnings("unchecked")
    ObjectProvider<org.springframework.boot.info.BuildProperties> noBuild =
        mock(ObjectProvider.class);
    OnlineFeaturesHttpHandler handler =
        new OnlineFeaturesHttpHandler(
            features,
            new GatewayMetrics(meters),
            new ServingInfo(noBuild),
            LookupProperties.defaults(),
            new HttpCallers(null));
    http =
        WebTestClient.bindToRouterFunction(new GatewayRoutes().onlineFeaturesApi(handler))
            .handlerStrategies(
                HandlerStrategies.builder()
                    .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(BODY_LIMIT))
                    .build())
            .configureClient()
            .responseTimeout(Duration.ofSeconds(10))
            .build();
  }

  @Test
  void answersTheLookupAsCompactProtobufJsonWithItsLength() {
    when(features.answer(any(), any())).thenReturn(Mono.just(Answers.of(RESPONSE)));

    var result =
        http.post()
            .uri("/api/v1/features/online")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(GatewayClients.json(REQUEST))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentType(MediaType.APPLICATION_JSON)
            .expectBody(String.class)
            .returnResult();

    String body = result.getResponseBody();
    assertThat(body).doesNotContain("\n").doesNotContain(": ");
    assertThat(result.getResponseHeaders().getContentLength())
        .isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    GetOnlineFeaturesResponse.Builder parsed = GetOnlineFeaturesResponse.newBuilder();
    GatewayClients.merge(body, parsed);
    assertThat(parsed.build()).isEqualTo(RESPONSE);
    ArgumentCaptor<GetOnlineFeaturesRequestV2> asked =
        ArgumentCaptor.forClass(GetOnlineFeaturesRequestV2.class);
    verify(features).answer(asked.capture(), any());
    assertThat(asked.getValue()).isEqualTo(REQUEST);
  }

  @Test
  void acceptsProtoFieldNamesAsWellAsJsonNames() {
    when(features.answer(any(), any())).thenReturn(Mono.just(Answers.of(RESPONSE)));
    String snakeCase =
        """
        {"project": "p",
         "features": [{"feature_table": "driver_stats", "name": "trips"},
                      {"feature_table": "driver_stats", "name": "rating"}],
         "entity_rows": [{"fields": {"driver_id": {"int64_val": "1"}}},
                         {"fields": {"driver_id": {"int64_val": 2}}}]}
        """;

    http.post()
        .uri("/api/v1/features/online")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(snakeCase)
        .exchange()
        .expectStatus()
        .isOk();

    ArgumentCaptor<GetOnlineFeaturesRequestV2> asked =
        ArgumentCaptor.forClass(GetOnlineFeaturesRequestV2.class);
    verify(features).answer(asked.capture(), any());
    assertThat(asked.getValue()).isEqualTo(REQUEST);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"features\":",
        "not json",
        "[]",
        "{\"entityRows\": 5}",
        "{\"unknownField\": 1}",
        "{\"entityRows\": [{\"fields\": {\"driver_id\": {\"int64Val\": \"x\"}}}]}",
        "{\"features\": [{\"featureTable\": 7, \"name\": {}}]}",
        "{\"entityRows\": [{\"timestamp\": \"yesterday\"}]}",
        "\"just a string\""
      })
  void malformedBodyIs400AndNeverReachesTheLookup(String body) {
    problem(post("/api/v1/features/online", body), HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT");
    problem(
        post("/api/v1/features/online/stream", body), HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT");
    verify(features, never()).getOnlineFeatures(any());
    verify(features, never()).streamOnlineFeatures(any());
    assertThat(timerCount("http", "INVALID_ARGUMENT")).isEqualTo(1);
    assertThat(timerCount("http_stream", "INVALID_ARGUMENT")).isEqualTo(1);
  }

  @Test
  void missingBodyIs400() {
    var detail =
        problem(
            http.post().uri("/api/v1/features/online").exchange(),
            HttpStatus.BAD_REQUEST,
            "INVALID_ARGUMENT");
    assertThat(detail).contains("request body");
  }

  @Test
  void bodyOverTheLimitIs413() {
    String huge = "{\"project\": \"" + "x".repeat(BODY_LIMIT + 10) + "\"}";

    problem(
        post("/api/v1/features/online", huge), HttpStatus.PAYLOAD_TOO_LARGE, "RESOURCE_EXHAUSTED");
    problem(
        post("/api/v1/features/online/stream", huge),
        HttpStatus.PAYLOAD_TOO_LARGE,
        "RESOURCE_EXHAUSTED");
    verify(features, never()).getOnlineFeatures(any());
    assertThat(timerCount("http", "RESOURCE_EXHAUSTED")).isEqualTo(1);
  }

  @Test
  void lookupFailuresBecomeTheirProblemAnswers() {
    when(features.answer(any(), any()))
        .thenReturn(Mono.error(GatewayException.notFound("project 'p' is not registered")))
        .thenReturn(Mono.error(GatewayException.invalid("entity_rows[0]: missing entity 'x'")))
        .thenReturn(
            Mono.error(new OnlineStoreUnavailableException("redis down", new RuntimeException())))
        .thenReturn(Mono.error(new IllegalStateException("a bug with a secret")));
    String body = GatewayClients.json(REQUEST);

    assertThat(problem(post("/api/v1/features/online", body), HttpStatus.NOT_FOUND, "NOT_FOUND"))
        .isEqualTo("project 'p' is not registered");
    assertThat(
            problem(
                post("/api/v1/features/online", body), HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT"))
        .isEqualTo("entity_rows[0]: missing entity 'x'");
    problem(post("/api/v1/features/online", body), HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE");
    assertThat(
            problem(
                post("/api/v1/features/online", body),
                HttpStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL"))
        .doesNotContain("secret");

    assertThat(timerCount("http", "NOT_FOUND")).isEqualTo(1);
    assertThat(timerCount("http", "UNAVAILABLE")).isEqualTo(1);
    assertThat(timerCount("http", "INTERNAL")).isEqualTo(1);
  }

  @Test
  void streamsOneCompactJsonRowPerLine() {
    List<StreamedFeatureRow> rows =
        List.of(
            StreamedFeatureRow.newBuilder()
                .setRowIndex(1)
                .setRow(RESPONSE.getFieldValues(1))
                .build(),
            StreamedFeatureRow.newBuilder()
                .setRowIndex(0)
                .setRow(RESPONSE.getFieldValues(0))
                .build());
    when(features.answerInChunks(any(), any()))
        .thenReturn(
            Flux.just(
                Answers.of(1, List.of(RESPONSE.getFieldValues(1))),
                Answers.of(0, List.of(RESPONSE.getFieldValues(0)))));

    String body =
        http.post()
            .uri("/api/v1/features/online/stream")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(GatewayClients.json(REQUEST))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentType(MediaType.APPLICATION_NDJSON)
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();

    assertThat(body).endsWith("\n");
    assertThat(body.split("\n", -1)).hasSize(3);
    assertThat(GatewayClients.parseNdjson(body)).containsExactlyElementsOf(rows);
    assertThat(timerCount("http_stream", "OK")).isEqualTo(1);
    assertThat(meters.get("larder.gateway.rows").tag("api", "http_stream").counter().count())
        .isEqualTo(2);
  }

  @Test
  void streamOfNoRowsIsAnEmptyOkBody() {
    when(features.answerInChunks(any(), any())).thenReturn(Flux.empty());

    http.post()
        .uri("/api/v1/features/online/stream")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{}")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .isEmpty();
  }

  @Test
  void streamRefusedBeforeItsFirstRowGetsTheProblemStatusNotA200() {
    when(features.answerInChunks(any(), any()))
        .thenReturn(Flux.error(GatewayException.notFound("feature table 'nope' is not registered")))
        .thenReturn(
            Flux.error(new OnlineStoreUnavailableException("redis down", new RuntimeException())));
    String body = GatewayClients.json(REQUEST);

    assertThat(
            problem(
                post("/api/v1/features/online/stream", body), HttpStatus.NOT_FOUND, "NOT_FOUND"))
        .contains("nope");
    problem(
        post("/api/v1/features/online/stream", body),
        HttpStatus.SERVICE_UNAVAILABLE,
        "UNAVAILABLE");
    assertThat(timerCount("http_stream", "NOT_FOUND")).isEqualTo(1);
    assertThat(timerCount("http_stream", "UNAVAILABLE")).isEqualTo(1);
  }

  @Test
  void servingInfoSaysOnline() {
    String body =
        http.get()
            .uri("/api/v1/info")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    GetFeastServingInfoResponse.Builder info = GetFeastServingInfoResponse.newBuilder();
    GatewayClients.merge(body, info);
    assertThat(info.getType()).isEqualTo(FeastServingType.FEAST_SERVING_TYPE_ONLINE);
  }

  @Test
  void countsRowsFeaturesAndStatusesButNotTheEchoedEntityFields() {
    when(features.answer(any(), any())).thenReturn(Mono.just(Answers.of(RESPONSE)));

    post("/api/v1/features/online", GatewayClients.json(REQUEST)).expectStatus().isOk();

    assertThat(timerCount("http", "OK")).isEqualTo(1);
    assertThat(meters.get("larder.gateway.rows").tag("api", "http").counter().count()).isEqualTo(2);
    assertThat(meters.get("larder.gateway.features").tag("api", "http").counter().count())
        .isEqualTo(4);
    assertThat(statusCount("PRESENT")).isEqualTo(2);
    assertThat(statusCount("NOT_FOUND")).isEqualTo(1);
    assertThat(statusCount("OUTSIDE_MAX_AGE")).isEqualTo(1);
    assertThat(statusCount("NULL_VALUE")).isZero();
  }

  private WebTestClient.ResponseSpec post(String uri, String body) {
    return http.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
  }

  /** Asserts a problem+json answer; returns its detail. */
  @SuppressWarnings("unchecked")
  private static String problem(
      WebTestClient.ResponseSpec response, HttpStatus status, String code) {
    Map<String, Object> problem =
        response
            .expectStatus()
            .value(actual -> assertThat(actual).isEqualTo(status.value()))
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(Map.class)
            .returnResult()
            .getResponseBody();
    assertThat(problem)
        .containsEntry("status", status.value())
        .containsEntry("code", code)
        .containsKey("title")
        .containsKey("detail");
    return (String) problem.get("detail");
  }

  private long timerCount(String api, String outcome) {
    var timer =
        meters.find("larder.gateway.requests").tag("api", api).tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  private double statusCount(String status) {
    return meters.get("larder.gateway.feature.status").tag("status", status).counter().count();
  }
}
