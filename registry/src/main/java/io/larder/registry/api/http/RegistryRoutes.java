package io.larder.registry.api.http;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;

import io.larder.registry.api.RegistryErrors;
import io.larder.registry.api.RegistryErrors.HttpError;
import io.larder.support.http.ProtoJson;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The registry's HTTP/JSON API (described in static/api/v1/openapi.yaml). */
@Configuration(proxyBeanMethods = false)
class RegistryRoutes {

  private static final String PROJECT = "/api/v1/projects/{project}";

  @Bean
  RouterFunction<ServerResponse> registryApi(RegistryHttpHandlers api) {
    return RouterFunctions.route()
        .route(GET("/api/v1/version"), api::version)
        .route(GET("/api/v1/me"), api::me)
        .route(GET("/api/v1/projects"), api::listProjects)
        .route(POST("/api/v1/projects"), api::createProject)
        .route(POST(PROJECT + "/archive"), api::archiveProject)
        .route(PUT(PROJECT + "/entities"), api::applyEntity)
        .route(GET(PROJECT + "/entities"), api::listEntities)
        .route(GET(PROJECT + "/entities/{name}"), api::getEntity)
        .route(DELETE(PROJECT + "/entities/{name}"), api::deleteEntity)
        .route(PUT(PROJECT + "/feature-tables"), api::applyFeatureTable)
        .route(GET(PROJECT + "/feature-tables"), api::listFeatureTables)
        .route(GET(PROJECT + "/feature-tables/{name}"), api::getFeatureTable)
        .route(DELETE(PROJECT + "/feature-tables/{name}"), api::deleteFeatureTable)
        .route(GET(PROJECT + "/feature-tables/{name}/revisions"), api::listRevisions)
        .route(GET(PROJECT + "/features"), api::listFeatures)
        .route(GET("/api/v1/stores"), api::listStores)
        .route(PUT("/api/v1/stores"), api::updateStore)
        .route(GET("/api/v1/changes"), api::listChanges)
        .onError(Throwable.class, (error, request) -> problem(RegistryErrors.toHttp(error)))
        .build();
  }

  private static Mono<ServerResponse> problem(HttpError error) {
    return ProtoJson.problem(error.status(), error.code(), error.detail());
  }
}
