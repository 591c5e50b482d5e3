package io.larder.orchestrator.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The Kafka offsets a stream job's checkpoint has committed, so the job that replaces it starts
 * where it had got to: nothing between them is skipped, and only what both read while they
 * overlapped is read twice (newest-wins writes make that harmless).
 */
final class CheckpointOffsets {

  private CheckpointOffsets() {}

  /**
   * Spark's per-partition JSON after the last committed micro-batch ({@code offsets/<n>} of the
   * highest {@code n} in {@code commits/}), or empty when nothing was committed.
   */
  static Optional<String> lastCommitted(Path checkpoint) {
    OptionalLong batch = highestBatch(checkpoint.resolve("commits"));
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    Path offsets = checkpoint.resolve("offsets").resolve(Long.toString(batch.getAsLong()));
    try {
      List<String> lines = Files.readAllLines(offsets, StandardCharsets.UTF_8);
      // v1, then the batch metadata, then one line of offsets per source (one Kafka source here).
      return lines.size() >= 3 && lines.get(2).strip().startsWith("{")
          ? Optional.of(lines.get(2).strip())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static OptionalLong highestBatch(Path dir) {
    if (!Files.isDirectory(dir)) {
      return OptionalLong.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(path -> path.getFileName().toString())
          .filter(name -> name.matches("\\d+"))
          .mapToLong(Long::parseLong)
          .max();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }
}
