package io.larder.jobs.spec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Reads a job's {@code --spec}: protobuf JSON given inline, or the path of a file holding it. */
public final class JobSpecs {

  private JobSpecs() {}

  /**
   * Parses {@code spec} (inline JSON starting with '{', {@code @path}, or a path) into {@code
   * builder}'s message; unknown fields are refused so a typo never goes unnoticed.
   */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T parse(String spec, Message.Builder builder) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--spec is required (inline JSON or a file path)");
    }
    String json = spec.strip().startsWith("{") ? spec : read(spec);
    try {
      JsonFormat.parser().merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "--spec is not a valid "
              + builder.getDescriptorForType().getName()
              + ": "
              + e.getMessage(),
          e);
    }
    return (T) builder.build();
  }

  private static String read(String spec) {
    Path path = Path.of(spec.startsWith("@") ? spec.substring(1) : spec);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "--spec '" + spec + "' is neither inline JSON nor a readable file");
    }
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read --spec file " + path, e);
    }
  }

  /** The result as one line of JSON, field names as in the proto (snake_case). */
  public static String toJson(Message message) {
    try {
      return JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace()
          .print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType(), e);
    }
  }

  /**
   * Writes a result or progress report as one line of JSON, replacing {@code target} atomically: a
   * reader sees the previous file or the new one, never half of either.
   */
  public static void writeResult(Path target, Message result) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Not Files.createTempFile: its owner-only permissions would stay with the renamed file.
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.writeString(
          temp, toJson(result) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
