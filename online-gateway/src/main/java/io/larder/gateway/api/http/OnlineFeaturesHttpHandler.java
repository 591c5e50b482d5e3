package io.larder.gateway.api.http;

import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.support.security.HttpCallers;
import io.larder.support.security.ProjectRole;
import java.time.Duration;
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

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;
  private final ServingInfo info;
  private final Duration defaultBudget;
  private final HttpCallers callers;

  OnlineFeaturesHttpHandler(
      OnlineFeatureService features,
      GatewayMetrics metrics,
      ServingInfo info,
      LookupProperties properties,
      HttpCallers callers) {
    this.callers = callers;
    this.features = features;
    this.metrics = metrics;
    this.info = info;
    this.defaultBudget = properties.requestTimeout();
  }

  Mono<ServerResponse> info(ServerRequest request) {
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .body(ProtoJson.json(info.response(), 64));
  }

  /** The request, once its caller has been found to hold the reader role in its project. */
  private Mono<GetOnlineFeaturesRequestV2> readable(ServerRequest request) {
    return callers
        .of(request)
        .zipWith(ProtoJson.onlineFeaturesRequest(request))
        .map(
            callerAndRequest -> {
              GetOnlineFeaturesRequestV2 parsed = callerAndRequest.getT2();
              callerAndRequest
                  .getT1()
                  .require(
                      ProjectRole.READER,
                      OnlineFeatureService.projectOf(parsed),
                      "read online features");
              return parsed;
            });
  }

  /** POST /api/v1/features/online: GetOnlineFeaturesRequestV2 in, GetOnlineFeaturesResponse out. */
  Mono<ServerResponse> onlineFeatures(ServerRequest request) {
    RequestMeasure measure = metrics.start(Api.HTTP);
    return Mono.defer(
            () -> {
              Duration budget = RequestTimeouts.budget(request, defaultBudget);
              return readable(request).flatMap(parsed -> features.answer(parsed, budget));
            })
        .flatMap(
            answer -> {
              measure.answered(answer);
              BodyInserter<Object, ReactiveHttpOutputMessage> json = JsonAnswers.response(answer);
              // Measured until the answer is written: writing a large one takes a while.
              BodyInserter<Object, ReactiveHttpOutputMessage> measuredJson =
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
   * signal: a request the lookup refuses gets its problem answer (400/404/503/504), not a 200 with
   * a broken stream; a failure after rows have left can only cut the stream short.
   */
  Mono<ServerResponse> streamOnlineFeatures(ServerRequest request) {
    RequestMeasure measure = metrics.start(Api.HTTP_STREAM);
    return Mono.defer(
            () -> {
              Duration budget = RequestTimeouts.budget(request, defaultBudget);
              return readable(request)
                  .flatMap(
                      parsed ->
                          Flux.defer(() -> features.answerInChunks(parsed, budget))
                              // Waits for the first chunk (or the end, or an error) before
                              // answering; the chunks, the first replayed, become the body.
                              .switchOnFirst(
                                  (first, chunks) ->
                                      first.isOnError()
                                          ? Mono.<Flux<OnlineAnswer>>error(first.getThrowable())
                                          : Mono.just(chunks),
                                  false)
                              .singleOrEmpty());
            })
        .flatMap(
            chunks ->
                ServerResponse.ok()
                    .contentType(MediaType.APPLICATION_NDJSON)
                    .body(JsonAnswers.ndjson(measured(chunks, measure))))
        .onErrorResume(error -> GatewayRoutes.problem(error, measure).doFinally(measure::finish))
        .doFinally(
            signal -> {
              // Before the body is written; afterwards the body's doFinally ends the measure.
              if (signal == SignalType.CANCEL) {
                measure.finish(signal);
              }
            });
  }

  private static Flux<OnlineAnswer> measured(Flux<OnlineAnswer> chunks, RequestMeasure measure) {
    return chunks
        .doOnNext(measure::answered)
        .doOnError(error -> measure.failedWith(GatewayErrors.toHttp(error).code()))
        .doFinally(measure::finish);
  }
}
