package io.larder.registry.console;

import io.larder.support.http.ProtoJson;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The console's thin reverse proxy: {@code /console/api/orchestrator/**} to the job service's
 * {@code /api/v1/**} and {@code /console/api/gateway/**} to the gateway's. Status, body and content
 * type pass through unchanged and the caller's Authorization header is forwarded, so each service
 * decides what the caller may do; only failing to reach a service is answered here (problem JSON:
 * 503 not configured, 502 unreachable, 504 no answer in time).
 */
@Component
class ConsoleProxy {

  static final String ORCHESTRATOR_PREFIX = "/console/api/orchestrator";
  static final String GATEWAY_PREFIX = "/console/api/gateway";

  private static final Logger log = LoggerFactory.getLogger(ConsoleProxy.class);

  /** What the services read from a request; cookies and everything else stay here. */
  private static final List<String> REQUEST_HEADERS =
      List.of(
          HttpHeaders.AUTHORIZATION,
          HttpHeaders.CONTENT_TYPE,
          HttpHeaders.ACCEPT,
          "X-Request-Timeout");

  private static final List<String> RESPONSE_HEADERS =
      List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CACHE_CONTROL, HttpHeaders.WWW_AUTHENTICATE);

  private final Upstream orchestrator;
  private final Upstream gateway;
  private final WebClient client;
  private final Duration responseTimeout;
  private final Duration answerDeadline;

  ConsoleProxy(ConsoleProperties properties) {
    this.orchestrator =
        Upstream.of(
            "the job service",
            "orchestrator-url",
            "LARDER_CONSOLE_ORCHESTRATOR_URL",
            properties.orchestratorUrl());
    this.gateway =
        Upstream.of(
            "the online gateway",
            "gateway-url",
            "LARDER_CONSOLE_GATEWAY_URL",
            properties.gatewayUrl());
    HttpClient http =
        HttpClient.create()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, properties.connectTimeout().toMillis()))
            .responseTimeout(properties.responseTimeout());
    this.client = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).build();
    this.responseTimeout = properties.responseTimeout();
    // Bounds the wait for the answer's headers even if a connection attempt outlives its timeout.
    this.answerDeadline = properties.connectTimeout().plus(properties.responseTimeout());
  }

  Mono<ServerResponse> toOrchestrator(ServerRequest request) {
    return forward(orchestrator, ORCHESTRATOR_PREFIX, request);
  }

  Mono<ServerResponse> toGateway(ServerRequest request) {
    return forward(gateway, GATEWAY_PREFIX, request);
  }

  private Mono<ServerResponse> forward(Upstream upstream, String prefix, ServerRequest request) {
    if (upstream.base() == null) {
      return ProtoJson.problem(
          HttpStatus.SERVICE_UNAVAILABLE,
          "UNAVAILABLE",
          "%s is not configured for the console: set larder.registry.console.%s (env %s) on the registry"
              .formatted(upstream.service(), upstream.property(), upstream.env()));
    }
    // Raw (still percent-encoded): the service gets the path as the browser sent it.
    String path = request.requestPath().pathWithinApplication().value().substring(prefix.length());
    if (!plain(path)) {
      return ProtoJson.problem(
          HttpStatus.BAD_REQUEST,
          "INVALID_ARGUMENT",
          "path: '%s' must not hold '.' or '..' segments or encoded slashes".formatted(path));
    }
    String query = request.uri().getRawQuery();
    URI target =
        URI.create(upstream.base() + "/api/v1" + path + (query == null ? "" : "?" + query));
    HttpMethod method = request.method();
    WebClient.RequestBodySpec call =
        client
            .method(method)
            .uri(target)
            .headers(headers -> copy(request.headers().asHttpHeaders(), headers, REQUEST_HEADERS));
    WebClient.RequestHeadersSpec<?> withBody =
        HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method)
            ? call.body(BodyInserters.fromDataBuffers(request.bodyToFlux(DataBuffer.class)))
            : call;
    return withBody
        .retrieve()
        // Every status is the service's own answer, to be passed on, not an error here.
        .onStatus(status -> true, response -> Mono.empty())
        .toEntityFlux(DataBuffer.class)
        .timeout(answerDeadline)
        .flatMap(
            answer ->
                ServerResponse.status(answer.getStatusCode())
                    .headers(headers -> copy(answer.getHeaders(), headers, RESPONSE_HEADERS))
                    .body(answer.getBody(), DataBuffer.class))
        .onErrorResume(error -> unreachable(upstream, error));
  }

  private Mono<ServerResponse> unreachable(Upstream upstream, Throwable error) {
    if (timedOut(error)) {
      log.warn("console: {} at {} did not answer in time", upstream.service(), upstream.base());
      return ProtoJson.problem(
          HttpStatus.GATEWAY_TIMEOUT,
          "DEADLINE_EXCEEDED",
          "%s at %s did not answer within %s (larder.registry.console.response-timeout)"
              .formatted(
                  upstream.service(),
                  upstream.base(),
                  responseTimeout.toMillis() % 1000 == 0
                      ? responseTimeout.toSeconds() + "s"
                      : responseTimeout.toMillis() + "ms"));
    }
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    log.warn("console: {} at {} cannot be reached: {}", upstream.service(), upstream.base(), why);
    return ProtoJson.problem(
        HttpStatus.BAD_GATEWAY,
        "UNAVAILABLE",
        "%s at %s cannot be reached: %s".formatted(upstream.service(), upstream.base(), why));
  }

  private static boolean timedOut(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException
          || cause instanceof io.netty.handler.timeout.TimeoutException
          || cause instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** No dot segments and no encoded slashes: the path stays under the service's /api/v1. */
  static boolean plain(String rawPath) {
    for (String segment : rawPath.split("/", -1)) {
      String decoded;
      try {
        decoded = UriUtils.decode(segment, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        return false;
      }
      if (decoded.equals(".")
          || decoded.equals("..")
          || decoded.contains("/")
          || decoded.contains("\\")) {
        return false;
      }
    }
    return true;
  }

  private static void copy(HttpHeaders from, HttpHeaders to, List<String> names) {
    for (String name : names) {
      List<String> values = from.get(name);
      if (values != null && !values.isEmpty()) {
        to.put(name, values);
      }
    }
  }

  /**
   * A service behind the proxy.
   *
   * @param base its HTTP base URL without a trailing slash, or null when not configured
   */
  record Upstream(String service, String property, String env, String base) {

    static Upstream of(String service, String property, String env, String url) {
      if (url == null || url.isBlank()) {
        return new Upstream(service, property, env, null);
      }
      URI uri;
      try {
        uri = URI.create(url.trim());
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri != null && uri.getRawUserInfo() != null) {
        // The URL shows in messages and logs: it must hold no password (the caller's token is
        // forwarded instead).
        throw new IllegalStateException(
            "larder.registry.console.%s must not hold credentials".formatted(property));
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getRawQuery() != null) {
        throw new IllegalStateException(
            "larder.registry.console.%s: '%s' is not an http(s) base URL such as http://127.0.0.1:8082"
                .formatted(property, url));
      }
      String base = uri.toString();
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      return new Upstream(service, property, env, base);
    }
  }
}
