package io.larder.gateway.api.http;

import com.google.protobuf.MessageOrBuilder;
import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/** Adapts HTTP requests to the lookup; same semantics as the gRPC API. */
@Component
class OnlineFeaturesHttpHandler {

  /** Room for one feature in the JSON answer ("key":{"int64Val":"…"} and its status). */
  private static final int JSON_BYTES_PER_FIELD = 64;

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;
  private final ServingInfo info;

  OnlineFeaturesHttpHandler(
      OnlineFeatureService features, GatewayMetrics metrics, ServingInfo info) {
    this.features = features;
    this.metrics = metrics;
    this.info = info;
  }

  Mono<ServerResponse> info(ServerRequest request) {
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .body(ProtoJson.json(info.response(), 64));
  }

  /** POST /api/v1/features/online: GetOnlineFeaturesRequestV2 in, GetOnlineFeaturesResponse out. */
  Mono<ServerResponse> onlineFeatures(ServerRequest request) {
    RequestMeasure measure = metrics.start(Api.HTTP);
    return ProtoJson.onlineFeaturesRequest(request)
        .flatMap(
            parsed -> {
              measure.request(parsed);
              return features.getOnlineFeatures(parsed);
            })
        .flatMap(
            response -> {
              measure.response(response);
              BodyInserter<MessageOrBuilder, ReactiveHttpOutputMessage> json =
                  ProtoJson.json(response, sizeHint(response));
              // Measured until the answer is written: printing a large one takes a while.
              BodyInserter<MessageOrBuilder, ReactiveHttpOutputMessage> measuredJson =
                  (out, context) -> json.insert(out, context).doFinally(measure::finish);
              return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(measuredJson);
            })
        .onErrorResume(error -> GatewayRoutes.problem(error, measure).doFinally(measure::finish))
        .doFinally(
            signal -> {
              // Before the answer is written; afterwards its writer ends the measure.
              if (signal == SignalType.CANCEL) {
                measure.finish(signal);
              }
            });
  }

  /**
   * POST /api/v1/features/online/stream: the same request, answered as application/x-ndjson, one
   * StreamedFeatureRow per line as each chunk of rows completes. The status is decided by the first
   * signal: a request the lookup refuses gets its problem answer (400/404/503), not a 200 with a
   * broken stream; a failure after rows have left can only cut the stream short.
   */
  Mono<ServerResponse> streamOnlineFeatures(ServerRequest request) {
    RequestMeasure measure = metrics.start(Api.HTTP_STREAM);
    return ProtoJson.onlineFeaturesRequest(request)
        .flatMap(
            parsed -> {
              measure.request(parsed);
              return Flux.defer(() -> features.streamOnlineFeatures(parsed))
                  // Waits for the first row (or the end, or an error) before answering;
                  // the stream, its first row replayed, becomes the body.
                  .switchOnFirst(
                      (first, rows) ->
                          first.isOnError()
                              ? Mono.<Flux<StreamedFeatureRow>>error(first.getThrowable())
                              : Mono.just(rows),
                      false)
                  .singleOrEmpty();
            })
        .flatMap(
            rows ->
                ServerResponse.ok()
                    .contentType(MediaType.APPLICATION_NDJSON)
                    .body(
                        ProtoJson.ndjson(
                            measured(rows, measure),
                            row -> sizeHint(row.getRow().getStatusesCount()))))
        .onErrorResume(error -> GatewayRoutes.problem(error, measure).doFinally(measure::finish))
        .doFinally(
            signal -> {
              // Before the body is written; afterwards the body's doFinally ends the measure.
              if (signal == SignalType.CANCEL) {
                measure.finish(signal);
              }
            });
  }

  private static Flux<StreamedFeatureRow> measured(
      Flux<StreamedFeatureRow> rows, RequestMeasure measure) {
    return rows.doOnNext(measure::row)
        .doOnError(error -> measure.failedWith(GatewayErrors.toHttp(error).code()))
        .doFinally(measure::finish);
  }

  private static int sizeHint(GetOnlineFeaturesResponse response) {
    int rows = response.getFieldValuesCount();
    return sizeHint(rows == 0 ? 0 : response.getFieldValues(0).getStatusesCount() * rows);
  }

  /** A StringBuilder that rarely has to grow, without measuring the message first. */
  private static int sizeHint(int fields) {
    return 64 + fields * JSON_BYTES_PER_FIELD;
  }
}
