package io.larder.sdk.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionModelTest {

  @Test
  void learnsALabelThatDependsOnTheFeaturesAndSurvivesSaving(@TempDir Path dir) throws Exception {
    Random random = new Random(7);
    double[][] x = new double[2000][2];
    int[] y = new int[2000];
    for (int i = 0; i < x.length; i++) {
      x[i][0] = random.nextDouble();
      x[i][1] = 3 + 2 * random.nextDouble();
      y[i] = x[i][0] + 0.2 * (x[i][1] - 4) > 0.5 ? 1 : 0;
    }

    CompletionModel model = CompletionModel.train(List.of("t:a", "t:b"), x, y, 2000, 0.5);
    model.save(dir.resolve("model.json"));
    CompletionModel loaded = CompletionModel.load(dir.resolve("model.json"));

    assertThat(model.accuracy(x, y)).isGreaterThan(0.95);
    assertThat(loaded.accuracy(x, y)).isEqualTo(model.accuracy(x, y));
    assertThat(loaded.features()).containsExactly("t:a", "t:b");
  }

  @Test
  void generatedOrdersAreLabelledAndTheStatsCoverTwoDays(@TempDir Path dir) throws Exception {
    RideData.generate(dir, 10, 100);

    List<String> stats = java.nio.file.Files.readAllLines(dir.resolve("driver_stats.csv"));
    List<String> orders = java.nio.file.Files.readAllLines(dir.resolve("orders.csv"));
    assertThat(stats).hasSize(1 + 10 * 48);
    assertThat(orders).hasSize(101);
    assertThat(orders.get(0)).isEqualTo("driver_id,event_timestamp,completed");
    assertThat(orders.subList(1, orders.size()))
        .allMatch(line -> line.matches("10\\d\\d,2030-01-02T.*,[01]"));
  }
}
