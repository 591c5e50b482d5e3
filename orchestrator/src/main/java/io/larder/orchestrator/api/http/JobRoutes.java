package io.larder.orchestrator.api.http;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.larder.orchestrator.api.OrchestratorErrors;
import io.larder.orchestrator.api.OrchestratorErrors.HttpError;
import io.larder.support.http.ProtoJson;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The job service's HTTP/JSON API (described in static/api/v1/openapi.yaml). */
@Configuration(proxyBeanMethods = false)
class JobRoutes {

  private static final String JOB = "/api/v1/jobs/{id}";

  @Bean
  RouterFunction<ServerResponse> jobApi(JobHttpHandlers api) {
    return RouterFunctions.route()
        .route(POST("/api/v1/jobs/batch-ingestion"), api::startBatchIngestion)
        .route(POST("/api/v1/jobs/historical-retrieval"), api::getHistoricalFeatures)
        .route(POST("/api/v1/jobs/stream-ingestion"), api::startStreamIngestion)
        .route(POST("/api/v1/jobs/layout-migration"), api::migrateOnlineLayout)
        .route(GET("/api/v1/jobs"), api::listJobs)
        .route(GET("/api/v1/job-details"), api::listJobDetails)
        .route(GET(JOB), api::getJob)
        .route(GET(JOB + "/details"), api::getJobDetails)
        .route(GET(JOB + "/log"), api::jobLog)
        .route(POST(JOB + "/cancel"), api::cancelJob)
        .onError(Throwable.class, (error, request) -> problem(OrchestratorErrors.toHttp(error)))
        .build();
  }

  private static Mono<ServerResponse> problem(HttpError error) {
    return ProtoJson.problem(error.status(), error.code(), error.detail());
  }
}
