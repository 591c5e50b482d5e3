package io.larder.loadtest.gatling;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.shape.BenchmarkShape;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SimulationParamsTest {

  @Test
  void defaultsAreTenRowsOfAllFeaturesAtAHundredPerSecondOnTheLocalGateway() {
    SimulationParams params = SimulationParams.from(new Properties());

    assertThat(params.baseUrl()).isEqualTo("http://127.0.0.1:8081");
    assertThat(params.rate()).isEqualTo(100);
    assertThat(params.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(params.rows()).isEqualTo(10);
    assertThat(params.features()).isEqualTo(50);
    assertThat(params.shape())
        .isEqualTo(new BenchmarkShape("loadtest", "entity_id", 1_000_000, 5, 10));
  }

  @Test
  void everyParameterComesFromASystemProperty() {
    Properties p = new Properties();
    p.setProperty("baseUrl", "http://localhost:9000/");
    p.setProperty("rate", "250.5");
    p.setProperty("duration", "1.5");
    p.setProperty("rows", "100");
    p.setProperty("features", "12");
    p.setProperty("project", "bench-100000");
    p.setProperty("entities", "100000");
    p.setProperty("maxFailedPercent", "0");

    SimulationParams params = SimulationParams.from(p);

    assertThat(params.baseUrl()).isEqualTo("http://localhost:9000");
    assertThat(params.rate()).isEqualTo(250.5);
    assertThat(params.duration()).isEqualTo(Duration.ofMillis(1_500));
    assertThat(params.rows()).isEqualTo(100);
    assertThat(params.features()).isEqualTo(12);
    assertThat(params.shape().project()).isEqualTo("bench-100000");
    assertThat(params.shape().entities()).isEqualTo(100_000);
    assertThat(params.maxFailedPercent()).isZero();
    assertThat(params.requests().shapeName()).isEqualTo("rows100_features12");
  }
}
