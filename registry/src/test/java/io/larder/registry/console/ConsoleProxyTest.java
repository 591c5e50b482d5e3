package io.larder.registry.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.ServerResponse;

class ConsoleProxyTest {

  @Test
  void unconfiguredServiceAnswers503SayingWhichSettingIsMissing() {
    ConsoleProxy proxy =
        new ConsoleProxy(
            new ConsoleProperties(null, " ", Duration.ofSeconds(1), Duration.ofSeconds(1)));

    ServerResponse response =
        proxy
            .toGateway(
                MockServerRequest.builder()
                    .method(HttpMethod.POST)
                    .uri(URI.create("http://localhost/console/api/gateway/features/online"))
                    .build())
            .block(Duration.ofSeconds(5));

    assertThat(response.statusCode().value()).isEqualTo(503);
    Map<?, ?> problem = (Map<?, ?>) ((EntityResponse<?>) response).entity();
    assertThat(problem.get("code")).isEqualTo("UNAVAILABLE");
    assertThat(problem.get("detail").toString())
        .contains("the online gateway is not configured")
        .contains("larder.registry.console.gateway-url")
        .contains("LARDER_CONSOLE_GATEWAY_URL");
  }

  @Test
  void plainPathsStayUnderTheServicesApi() {
    assertThat(ConsoleProxy.plain("/jobs/abc-1/log")).isTrue();
    assertThat(ConsoleProxy.plain("/job-details")).isTrue();
    assertThat(ConsoleProxy.plain("")).isTrue();
    assertThat(ConsoleProxy.plain("/jobs/a%20b")).isTrue();
    assertThat(ConsoleProxy.plain("/../actuator")).isFalse();
    assertThat(ConsoleProxy.plain("/./jobs")).isFalse();
    assertThat(ConsoleProxy.plain("/%2E%2e/actuator")).isFalse();
    assertThat(ConsoleProxy.plain("/jobs%2f..")).isFalse();
    assertThat(ConsoleProxy.plain("/jobs%5c..")).isFalse();
    assertThat(ConsoleProxy.plain("/jobs/%zz")).isFalse();
  }

  @Test
  void baseUrlsMustBeHttpAndLoseTheirTrailingSlash() {
    assertThat(ConsoleProxy.Upstream.of("s", "p-url", "ENV", "http://10.0.0.1:8082/").base())
        .isEqualTo("http://10.0.0.1:8082");
    assertThat(ConsoleProxy.Upstream.of("s", "p-url", "ENV", "https://jobs.example/larder").base())
        .isEqualTo("https://jobs.example/larder");
    assertThat(ConsoleProxy.Upstream.of("s", "p-url", "ENV", "").base()).isNull();
    assertThatThrownBy(() -> ConsoleProxy.Upstream.of("s", "p-url", "ENV", "localhost:8082"))
        .hasMessageContaining("larder.registry.console.p-url")
        .hasMessageContaining("not an http(s) base URL");
    assertThatThrownBy(() -> ConsoleProxy.Upstream.of("s", "p-url", "ENV", "ftp://host/"))
        .hasMessageContaining("not an http(s) base URL");
    assertThatThrownBy(
            () -> ConsoleProxy.Upstream.of("s", "p-url", "ENV", "http://ann:secret@host:8082"))
        .hasMessage("larder.registry.console.p-url must not hold credentials");
  }
}
