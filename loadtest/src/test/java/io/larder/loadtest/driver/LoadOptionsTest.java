package io.larder.loadtest.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.ShapeOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class LoadOptionsTest {

  @Command
  static final class Tool {
    @Mixin ShapeOptions shape;
    @Mixin LoadOptions load;
  }

  @Test
  void defaultsAreThePublishedShapeAtAFixedHundredPerSecond() {
    Tool tool = parse();
    BenchmarkShape shape = tool.shape.shape();

    assertThat(tool.load.rows()).containsExactly(1, 10, 50, 100);
    assertThat(tool.load.features(shape)).isEqualTo(50);
    assertThat(tool.load.mode()).isEqualTo(LoadOptions.Mode.open);
    assertThat(tool.load.rate()).isEqualTo(100);
    assertThat(tool.load.deadline()).isEqualTo(Duration.ofSeconds(1));
    assertThat(shape.entities()).isEqualTo(1_000_000);
  }

  @Test
  void saturationIsAClosedLoopAtAGivenConcurrency() {
    Tool tool =
        parse(
            "--mode", "closed",
            "--rows", "10",
            "--features", "20",
            "--concurrency", "64",
            "--warmup", "500ms",
            "--duration", "20s",
            "--deadline", "250ms",
            "--entities", "100000");

    assertThat(tool.load.mode()).isEqualTo(LoadOptions.Mode.closed);
    assertThat(tool.load.rows()).containsExactly(10);
    assertThat(tool.load.features(tool.shape.shape())).isEqualTo(20);
    assertThat(tool.load.concurrency()).isEqualTo(64);
    assertThat(tool.load.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(tool.load.duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(tool.load.deadline()).isEqualTo(Duration.ofMillis(250));
    assertThat(tool.shape.shape().entities()).isEqualTo(100_000);
  }

  private static Tool parse(String... args) {
    Tool tool = new Tool();
    new CommandLine(tool).parseArgs(args);
    return tool;
  }
}
