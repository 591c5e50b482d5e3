package io.larder.orchestrator.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
   * highest {@code n} in {@code commits/}), or empty when nothing was committed or when those
   * offsets are not of {@code topic} alone: a table whose stream source now names another topic (or
   * one deleted and applied again with another) starts that topic afresh, as Spark refuses to start
   * from another topic's offsets.
   */
  static Optional<String> lastCommitted(Path checkpoint, String topic) {
    return lastCommittedJson(checkpoint).filter(json -> topicsOf(json).equals(List.of(topic)));
  }

  /** The top-level keys of Spark's offsets JSON: its topics (Kafka names need no escaping). */
  static List<String> topicsOf(String json) {
    List<String> topics = new ArrayList<>();
    int depth = 0;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == '"' && depth == 1) {
        int end = json.indexOf('"', i + 1);
        if (end < 0) {
          break;
        }
        topics.add(json.substring(i + 1, end));
        // Past the key, its colon and its value, which opens the next level.
        i = end;
      }
    }
    return topics;
  }

  private static Optional<String> lastCommittedJson(Path checkpoint) {
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
