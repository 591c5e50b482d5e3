package io.larder.gateway.api.http;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.larder.gateway.GatewayErrors;
import io.larder.gateway.GatewayErrors.HttpError;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The gateway's HTTP/JSON API: Feast Serving's lookups in the protobuf JSON mapping. */
@Configuration(proxyBeanMethods = false)
class GatewayRoutes {

  @Bean
  RouterFunction<ServerResponse> onlineFeaturesApi(OnlineFeaturesHttpHandler api) {
    return RouterFunctions.route()
        .route(POST("/api/v1/features/online"), api::onlineFeatures)
        .route(POST("/api/v1/features/online/stream"), api::streamOnlineFeatures)
        .route(GET("/api/v1/info"), api::info)
        // The handlers answer their own failures; this catches anything that escapes them.
        .onError(Throwable.class, (error, request) -> problem(GatewayErrors.toHttp(error)))
        .build();
  }

  /**
   * No Spring http.server.requests observation: larder.gateway.requests already times every call
   * with the code the client got, and the observation costs a share of a small request's CPU.
   */
  @Bean
  ObservationPredicate noHttpServerRequestObservations() {
    return (name, context) -> !"http.server.requests".equals(name);
  }

  /** The problem answer for a failed lookup; the measure records the code the client gets. */
  static Mono<ServerResponse> problem(Throwable error, RequestMeasure measure) {
    HttpError mapped = GatewayErrors.toHttp(error);
    measure.failedWith(mapped.code());
    return problem(mapped);
  }

  /** RFC 9457 problem details (application/problem+json), with the gRPC code alongside. */
  static Mono<ServerResponse> problem(HttpError error) {
    return ServerResponse.status(error.status())
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .bodyValue(error.problem());
  }
}
