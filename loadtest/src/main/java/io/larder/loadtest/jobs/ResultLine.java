package io.larder.loadtest.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measurement as {@code RESULT bench=<name> key=value ...}: values hold no spaces, so the line
 * splits on them. Printed and appended to the results file that {@link ReportCommand} reads.
 */
final class ResultLine {

  static final String PREFIX = "RESULT ";

  private final Map<String, String> fields = new LinkedHashMap<>();

  ResultLine(String bench) {
    fields.put("bench", bench);
  }

  ResultLine put(String key, Object value) {
    String text = String.valueOf(value);
    if (text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(key + ": a result value is one non-blank word: " + text);
    }
    fields.put(key, text);
    return this;
  }

  ResultLine seconds(String key, double seconds) {
    return put(key, String.format(Locale.ROOT, "%.3f", seconds));
  }

  ResultLine millis(String key, double millis) {
    return put(key, String.format(Locale.ROOT, "%.1f", millis));
  }

  String text() {
    StringBuilder line = new StringBuilder(PREFIX.strip());
    fields.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
    return line.toString();
  }

  /** Prints the line and appends it to {@code results} when given. */
  void emit(Path results) throws IOException {
    System.out.println(text());
    if (results != null) {
      Files.writeString(
          results,
          text() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  /** The fields of a RESULT line; empty for any other line. */
  static Map<String, String> parse(String line) {
    Map<String, String> parsed = new LinkedHashMap<>();
    if (!line.startsWith(PREFIX)) {
      return parsed;
    }
    for (String word : line.substring(PREFIX.length()).trim().split("\\s+")) {
      int equals = word.indexOf('=');
      if (equals > 0) {
        parsed.put(word.substring(0, equals), word.substring(equals + 1));
      }
    }
    return parsed;
  }
}
