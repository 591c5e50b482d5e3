package io.larder.sdk.quickstart;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * The quickstart's example data, generated (seeded, so every run is the same): hourly statistics of
 * drivers over two days ({@code driver_stats.csv}, the batch source), and orders on the second day
 * labelled with whether the driver completed them ({@code orders.csv}, the training entity rows).
 * Completion depends on the driver's statistics at order time, so a point-in-time-correct training
 * set is what lets a model learn it.
 */
final class RideData {

  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant END = START.plus(Duration.ofDays(2));

  private RideData() {}

  /** Writes both files into {@code dir}; returns the number of orders. */
  static int generate(Path dir, int drivers, int orders) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(42);
    int hours = (int) Duration.between(START, END).toHours();
    double[][] acceptance = new double[drivers][hours];
    double[][] rating = new double[drivers][hours];
    long[][] trips = new long[drivers][hours];
    try (Writer out =
        Files.newBufferedWriter(dir.resolve("driver_stats.csv"), StandardCharsets.UTF_8)) {
      out.write("driver_id,acc_rate,avg_rating,trips_today,event_ts\n");
      for (int d = 0; d < drivers; d++) {
        double baseAcceptance = 0.3 + 0.65 * random.nextDouble();
        double baseRating = 3.6 + 1.4 * random.nextDouble();
        for (int h = 0; h < hours; h++) {
          // Each driver drifts hour by hour: yesterday's figures mislead about today's orders.
          baseAcceptance = clamp(baseAcceptance + 0.08 * random.nextGaussian(), 0.05, 1.0);
          baseRating = clamp(baseRating + 0.05 * random.nextGaussian(), 3.0, 5.0);
          acceptance[d][h] = round(baseAcceptance);
          rating[d][h] = round(baseRating);
          trips[d][h] = (h % 24) + random.nextInt(3);
          out.write(
              "%d,%s,%s,%d,%s%n"
                  .formatted(
                      driverId(d),
                      acceptance[d][h],
                      rating[d][h],
                      trips[d][h],
                      START.plus(Duration.ofHours(h))));
        }
      }
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve("orders.csv"), StandardCharsets.UTF_8)) {
      out.write("driver_id,event_timestamp,completed\n");
      for (int i = 0; i < orders; i++) {
        int d = random.nextInt(drivers);
        // Orders on the second day, strictly after the stats row they are judged by.
        int h = 24 + random.nextInt(hours - 24);
        Instant at = START.plus(Duration.ofHours(h)).plusSeconds(1 + random.nextInt(3598));
        double logit = -5.0 + 7.0 * acceptance[d][h] + 0.9 * (rating[d][h] - 4.0);
        int completed = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        out.write("%d,%s,%d%n".formatted(driverId(d), at, completed));
      }
    }
    return orders;
  }

  static long driverId(int index) {
    return 1001 + index;
  }

  private static double clamp(double value, double low, double high) {
    return Math.max(low, Math.min(high, value));
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
