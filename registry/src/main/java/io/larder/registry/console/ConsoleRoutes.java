package io.larder.registry.console;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The web console: a static single-page app (static/console/, served by Spring's static resource
 * handling) opened at {@code /console/}, and its proxy to the job service and the gateway.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConsoleProperties.class)
class ConsoleRoutes {

  static final String INDEX = "static/console/index.html";

  @Bean
  RouterFunction<ServerResponse> console(ConsoleProxy proxy) {
    // Read once at start-up: the page is a few KB, and no request then touches the class path.
    byte[] index = read(INDEX);
    return RouterFunctions.route()
        // Relative, so the page's relative module URLs resolve under /console/ (also behind a
        // proxy that adds a path prefix).
        .route(
            GET("/console"),
            request -> ServerResponse.permanentRedirect(URI.create("console/")).build())
        .route(
            GET("/console/").or(GET("/console/index.html")),
            request ->
                ServerResponse.ok()
                    .contentType(MediaType.TEXT_HTML)
                    .cacheControl(CacheControl.noCache())
                    .bodyValue(index))
        .route(path(ConsoleProxy.ORCHESTRATOR_PREFIX + "/**"), proxy::toOrchestrator)
        .route(path(ConsoleProxy.GATEWAY_PREFIX + "/**"), proxy::toGateway)
        .build();
  }

  private static byte[] read(String resource) {
    try (InputStream in = new ClassPathResource(resource).getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("the console's " + resource + " is missing from the build", e);
    }
  }
}
