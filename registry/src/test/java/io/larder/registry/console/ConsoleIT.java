package io.larder.registry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The console as the registry serves it (authentication off): its page and modules, and its proxy
 * to a stand-in job service — statuses, bodies, the Authorization header and the query passed
 * through; an unreachable gateway answered 502 and a silent service 504, as problem JSON.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.registry.console.response-timeout=1s"
    })
class ConsoleIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** Stands in for the job service: echoes what reached it, or answers as its path says. */
  private static final DisposableServer ORCHESTRATOR =
      HttpServer.create()
          .host("127.0.0.1")
          .port(0)
          .route(
              routes ->
                  routes
                      .get("/api/v1/slow", (request, response) -> Mono.never())
                      .get(
                          "/api/v1/jobs/missing",
                          (request, response) ->
                              response
                                  .status(404)
                                  .header("Content-Type", "application/problem+json")
                                  .sendString(
                                      Mono.just("{\"code\":\"NOT_FOUND\",\"detail\":\"no job\"}")))
                      .route(
                          request -> true,
                          (request, response) ->
                              request
                                  .receive()
                                  .aggregate()
                                  .asString()
                                  .defaultIfEmpty("")
                                  .flatMap(
                                      body ->
                                          response
                                              .header("Content-Type", "text/plain")
                                              .sendString(
                                                  Mono.just(
                                                      String.join(
                                                          "\n",
                                                          "method=" + request.method(),
                                                          "uri=" + request.uri(),
                                                          "authorization="
                                                              + request
                                                                  .requestHeaders()
                                                                  .get("Authorization"),
                                                          "cookie="
                                                              + request
                                                                  .requestHeaders()
                                                                  .get("Cookie"),
                                                          "body=" + body)))
                                              .then())))
          .bindNow(TIMEOUT);

  /** A port nothing listens on: the gateway is down. */
  private static final int CLOSED_PORT = closedPort();

  @DynamicPropertySource
  static void console(DynamicPropertyRegistry properties) {
    properties.add(
        "larder.registry.console.orchestrator-url",
        () -> "http://127.0.0.1:" + ORCHESTRATOR.port() + "/");
    // A host name, so the address lookup runs too (under BlockHound, like every test here).
    properties.add("larder.registry.console.gateway-url", () -> "http://localhost:" + CLOSED_PORT);
  }

  @AfterAll
  static void stopOrchestrator() {
    ORCHESTRATOR.disposeNow(TIMEOUT);
  }

  @LocalServerPort int port;
  private WebTestClient http;

  @BeforeEach
  void connect() {
    http =
        WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(TIMEOUT)
            .build();
  }

  @Test
  void consoleRedirectsToItsFolderAndServesThePageAndItsModules() {
    http.get()
        .uri("/console")
        .exchange()
        .expectStatus()
        .isPermanentRedirect()
        .expectHeader()
        .location("console/");

    String page =
        http.get()
            .uri("/console/")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.TEXT_HTML)
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    assertThat(page).contains("<script type=\"module\" src=\"app.js\"></script>");

    for (String module :
        new String[] {
          "app.js",
          "api.js",
          "diff.js",
          "pages/table.js",
          "pages/jobs.js",
          "pages/tryit.js",
          "pages/login.js"
        }) {
      EntityExchangeResult<byte[]> result =
          http.get().uri("/console/" + module).exchange().expectBody().returnResult();
      assertThat(result.getStatus().value()).as(module).isEqualTo(200);
      // Browsers run ES modules only when served with a JavaScript type.
      assertThat(result.getResponseHeaders().getContentType().getSubtype())
          .as(module)
          .isEqualTo("javascript");
      assertThat(result.getResponseHeaders().getCacheControl()).as(module).contains("no-cache");
    }
    http.get()
        .uri("/console/style.css")
        .exchange()
        .expectStatus()
        .isOk()
        .expectHeader()
        .contentTypeCompatibleWith("text/css");
  }

  @Test
  void proxyForwardsPathQueryAndAuthorizationButNoCookies() {
    String echo =
        http.get()
            .uri(url("/console/api/orchestrator/job-details?project=rides&table=a%20b&limit=5"))
            .header("Authorization", "Bearer abc.def.ghi")
            .header("Cookie", "session=secret")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();

    assertThat(echo)
        .contains("method=GET")
        .contains("uri=/api/v1/job-details?project=rides&table=a%20b&limit=5")
        .contains("authorization=Bearer abc.def.ghi")
        .contains("cookie=null");
  }

  @Test
  void proxyForwardsRequestBodies() {
    String echo =
        http.post()
            .uri("/console/api/orchestrator/jobs/j-1/cancel")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"reason\":\"test\"}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();

    assertThat(echo)
        .contains("method=POST")
        .contains("uri=/api/v1/jobs/j-1/cancel")
        .contains("body={\"reason\":\"test\"}");
  }

  @Test
  void proxyPassesTheServicesErrorAnswersThrough() {
    http.get()
        .uri("/console/api/orchestrator/jobs/missing")
        .exchange()
        .expectStatus()
        .isNotFound()
        .expectHeader()
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.detail")
        .isEqualTo("no job");
  }

  @Test
  void unreachableServiceAnswers502NamingIt() {
    http.post()
        .uri("/console/api/gateway/features/online")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{}")
        .exchange()
        .expectStatus()
        .isEqualTo(502)
        .expectHeader()
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.code")
        .isEqualTo("UNAVAILABLE")
        .jsonPath("$.detail")
        .value(
            String.class,
            detail ->
                assertThat(detail)
                    .startsWith("the online gateway at http://localhost:" + CLOSED_PORT)
                    .contains("cannot be reached"));
  }

  @Test
  void silentServiceAnswers504WithinTheResponseTimeout() {
    long start = System.nanoTime();
    http.get()
        .uri("/console/api/orchestrator/slow")
        .exchange()
        .expectStatus()
        .isEqualTo(504)
        .expectBody()
        .jsonPath("$.code")
        .isEqualTo("DEADLINE_EXCEEDED")
        .jsonPath("$.detail")
        .value(String.class, detail -> assertThat(detail).contains("did not answer within"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void pathsLeavingTheServicesApiAreRefused() {
    for (String path :
        new String[] {
          "/console/api/orchestrator/../../actuator/env",
          "/console/api/orchestrator/%2e%2e/actuator",
          "/console/api/orchestrator/jobs%2F..%2F..%2Factuator"
        }) {
      http.get()
          .uri(url(path))
          .exchange()
          .expectStatus()
          .isBadRequest()
          .expectBody()
          .jsonPath("$.code")
          .isEqualTo("INVALID_ARGUMENT");
    }
  }

  /** As written: the client encodes nothing again. */
  private URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
