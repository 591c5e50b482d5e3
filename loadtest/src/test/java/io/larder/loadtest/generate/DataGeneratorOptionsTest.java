package io.larder.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.shape.BenchmarkShape;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DataGeneratorOptionsTest {

  @Test
  void defaultsAreThePublishedBenchmarkShape() {
    DataGenerator generator = parse();

    assertThat(generator.shapeOptions.shape())
        .isEqualTo(new BenchmarkShape("loadtest", "entity_id", 1_000_000, 5, 10));
    assertThat(generator.redis).isEqualTo("redis://127.0.0.1:6379");
    assertThat(generator.registry).isEqualTo("127.0.0.1:6565");
    assertThat(generator.noRegistry).isFalse();
    assertThat(generator.maxAge).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void everyDimensionIsConfigurable() {
    DataGenerator generator =
        parse(
            "--entities",
            "100000",
            "--tables",
            "2",
            "--features-per-table",
            "25",
            "--project",
            "bench-x",
            "--redis",
            "redis://127.0.0.1:6400",
            "--no-registry",
            "--max-age",
            "0",
            "--skip-if-present");

    assertThat(generator.shapeOptions.shape())
        .isEqualTo(new BenchmarkShape("bench-x", "entity_id", 100_000, 2, 25));
    assertThat(generator.redis).isEqualTo("redis://127.0.0.1:6400");
    assertThat(generator.noRegistry).isTrue();
    assertThat(generator.maxAge).isZero();
    assertThat(generator.skipIfPresent).isTrue();
  }

  @Test
  void theMarkerDescribesTheShape() {
    BenchmarkShape shape = new BenchmarkShape("bench-x", "entity_id", 10, 2, 3);

    assertThat(new String(DataGenerator.markerKey(shape))).isEqualTo("larder-loadtest:bench-x");
    assertThat(DataGenerator.describe(shape))
        .isEqualTo("project=bench-x entity=entity_id entities=10 tables=2 features_per_table=3");
  }

  private static DataGenerator parse(String... args) {
    DataGenerator generator = new DataGenerator();
    new CommandLine(generator).parseArgs(args);
    return generator;
  }
}
