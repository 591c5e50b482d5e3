package io.larder.sdk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Prints results as an aligned table for people, or as JSON or YAML (protobuf JSON) for scripts.
 */
final class Output {

  enum Format {
    TABLE,
    JSON,
    YAML
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  private final PrintWriter out;
  private final Format format;

  Output(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  Format format() {
    return format;
  }

  /** Items as rows of {@code columns} (table), or as a list of messages (JSON/YAML). */
  <T extends MessageOrBuilder> void list(
      List<T> items, List<String> columns, Function<T, List<String>> row) {
    if (format == Format.TABLE) {
      List<List<String>> rows = new ArrayList<>();
      items.forEach(item -> rows.add(row.apply(item)));
      table(columns, rows);
      return;
    }
    var array = JSON.createArrayNode();
    items.forEach(item -> array.add(tree(item)));
    print(array);
  }

  /** One message: as given by {@code text} for tables, else the message itself. */
  void one(MessageOrBuilder message, Runnable text) {
    if (format == Format.TABLE) {
      text.run();
    } else {
      print(tree(message));
    }
  }

  /** One message in full: JSON for tables too (a describe has no columns), else as asked. */
  void message(MessageOrBuilder message) {
    print(tree(message));
  }

  void table(List<String> columns, List<List<String>> rows) {
    int[] widths = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      widths[i] = columns.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    out.println(line(columns, widths));
    rows.forEach(row -> out.println(line(row, widths)));
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        line.append("  ");
      }
      line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i]));
    }
    return line.toString().stripTrailing();
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }

  static JsonNode tree(MessageOrBuilder message) {
    try {
      return JSON.readTree(PRINTER.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void print(JsonNode node) {
    try {
      if (format == Format.YAML) {
        out.print(YAML.writeValueAsString(node));
      } else {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
      }
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
