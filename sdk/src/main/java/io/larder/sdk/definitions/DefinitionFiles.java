package io.larder.sdk.definitions;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.larder.sdk.definitions.Definition.Kind;
import io.larder.sdk.definitions.YamlDocuments.Document;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads definition files: YAML documents separated by {@code ---}, each
 *
 * <pre>{@code
 * kind: FeatureTable        # or Entity; Feast's entity / feature_table read too
 * project: demo             # optional: else the caller's default project
 * spec:                     # feast.core.FeatureTableSpec / EntitySpecV2 in the protobuf JSON
 *   name: driver_trips      # mapping: lowerCamelCase or proto field names, enums by name,
 *   maxAge: 3600s           # durations like 3600s
 *   ...
 * meta: {}                  # optional, ignored: Feast exports carry it
 * }</pre>
 *
 * <p>Nothing is sent anywhere: a document that is not a valid definition is refused with a {@link
 * DefinitionException} naming its file and line.
 */
public final class DefinitionFiles {

  private static final Set<String> DOCUMENT_KEYS = Set.of("kind", "project", "spec", "meta");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser SPEC_PARSER = JsonFormat.parser();
  private static final JsonPointer SPEC = JsonPointer.compile("/spec");

  private DefinitionFiles() {}

  /**
   * The definitions of one file, or of every {@code *.yaml} and {@code *.yml} file directly in a
   * directory (by file name), in the order they are written.
   *
   * @throws DefinitionException for the first document that is not a valid definition, a missing or
   *     unreadable file, or a directory without definition files
   */
  public static List<Definition> read(Path fileOrDirectory) {
    if (!Files.isDirectory(fileOrDirectory)) {
      return readFile(fileOrDirectory);
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(fileOrDirectory)) {
      files =
          entries
              .filter(DefinitionFiles::isYamlFile)
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      throw new DefinitionException(
          fileOrDirectory.toString(), 0, "cannot list the directory: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DefinitionException(fileOrDirectory.toString(), 0, "no *.yaml or *.yml files");
    }
    List<Definition> definitions = new ArrayList<>();
    files.forEach(file -> definitions.addAll(readFile(file)));
    return definitions;
  }

  /**
   * The definitions of a YAML stream (stdin, say), in the order they are written.
   *
   * @param source names the stream in messages, e.g. {@code -}
   * @throws DefinitionException for the first document that is not a valid definition
   */
  public static List<Definition> read(Reader yaml, String source) {
    List<Document> documents;
    try {
      documents = YamlDocuments.read(yaml, source);
    } catch (IOException e) {
      throw new DefinitionException(source, 0, "cannot read: " + e.getMessage(), e);
    }
    List<Definition> definitions = new ArrayList<>();
    for (Document document : documents) {
      // A stray "---" (or a comment-only document) defines nothing.
      if (!document.root().isNull()) {
        definitions.add(definition(document, source));
      }
    }
    return definitions;
  }

  private static boolean isYamlFile(Path path) {
    String name = path.getFileName().toString();
    return Files.isRegularFile(path) && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  private static List<Definition> readFile(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(reader, file.toString());
    } catch (NoSuchFileException e) {
      throw new DefinitionException(file.toString(), 0, "no such file", e);
    } catch (IOException e) {
      throw new DefinitionException(file.toString(), 0, "cannot read: " + e.getMessage(), e);
    }
  }

  private static Definition definition(Document document, String source) {
    if (!(document.root() instanceof ObjectNode root)) {
      throw new DefinitionException(
          source, document.line(), "a definition is a mapping with kind and spec");
    }
    for (String key : (Iterable<String>) root::fieldNames) {
      if (!DOCUMENT_KEYS.contains(key)) {
        throw new DefinitionException(
            source,
            document.lineOf(JsonPointer.empty().appendProperty(key)),
            "unknown key " + key + " (a definition has kind, project, spec and meta)");
      }
    }
    Kind kind = kind(document, source);
    String project = project(document, source);
    JsonNode spec = root.get("spec");
    if (spec == null || spec.isNull()) {
      throw new DefinitionException(source, document.line(), kind.yamlName() + ": missing spec");
    }
    if (!(spec instanceof ObjectNode specFields)) {
      throw new DefinitionException(
          source, document.lineOf(SPEC), kind.yamlName() + ": spec is not a mapping");
    }
    Message parsed = parseSpec(kind, specFields, document, source);
    if (Kind.name(parsed).isBlank()) {
      throw new DefinitionException(
          source, document.lineOf(SPEC), kind.yamlName() + " spec: missing name");
    }
    return new Definition(kind, project, parsed, source, document.line());
  }

  private static Kind kind(Document document, String source) {
    JsonNode kind = document.root().get("kind");
    if (kind == null || kind.isNull()) {
      throw new DefinitionException(
          source, document.line(), "missing kind (Entity or FeatureTable)");
    }
    JsonPointer at = JsonPointer.compile("/kind");
    return Optional.of(kind)
        .filter(JsonNode::isTextual)
        .flatMap(text -> Kind.fromYaml(text.asText()))
        .orElseThrow(
            () ->
                new DefinitionException(
                    source,
                    document.lineOf(at),
                    "unknown kind " + kind.asText() + " (Entity or FeatureTable)"));
  }

  private static String project(Document document, String source) {
    JsonNode project = document.root().get("project");
    if (project == null || project.isNull()) {
      return null;
    }
    if (!project.isTextual() || project.asText().isBlank()) {
      throw new DefinitionException(
          source,
          document.lineOf(JsonPointer.compile("/project")),
          "project is not a name: " + project);
    }
    return project.asText();
  }

  private static Message parseSpec(Kind kind, ObjectNode spec, Document document, String source) {
    Message.Builder builder = kind.newSpecBuilder();
    try {
      SPEC_PARSER.merge(json(spec), builder);
      return builder.build();
    } catch (InvalidProtocolBufferException e) {
      JsonPointer offending =
          offendingField(spec, SPEC, kind.newSpecBuilder().getDescriptorForType()).orElse(SPEC);
      throw new DefinitionException(
          source, document.lineOf(offending), kind.yamlName() + " spec: " + e.getMessage(), e);
    }
  }

  /**
   * The first field that JsonFormat refuses on its own, looked for inside messages and lists of
   * messages: JsonFormat's messages name a field or a value but not where it is.
   */
  private static Optional<JsonPointer> offendingField(
      ObjectNode fields, JsonPointer at, Descriptor type) {
    for (Map.Entry<String, JsonNode> field : fields.properties()) {
      JsonPointer fieldAt = at.appendProperty(field.getKey());
      ObjectNode single = JSON.createObjectNode().set(field.getKey(), field.getValue());
      if (parses(single, type)) {
        continue;
      }
      FieldDescriptor descriptor = field(type, field.getKey());
      if (descriptor == null
          || descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE
          || descriptor.isMapField()) {
        return Optional.of(fieldAt);
      }
      Descriptor fieldType = descriptor.getMessageType();
      JsonNode value = field.getValue();
      if (value instanceof ObjectNode nested) {
        return offendingField(nested, fieldAt, fieldType).or(() -> Optional.of(fieldAt));
      }
      if (value.isArray()) {
        for (int index = 0; index < value.size(); index++) {
          JsonPointer itemAt = fieldAt.appendIndex(index);
          if (value.get(index) instanceof ObjectNode item && !parses(item, fieldType)) {
            return offendingField(item, itemAt, fieldType).or(() -> Optional.of(itemAt));
          }
        }
      }
      return Optional.of(fieldAt);
    }
    return Optional.empty();
  }

  private static boolean parses(ObjectNode fields, Descriptor type) {
    try {
      SPEC_PARSER.merge(json(fields), DynamicMessage.newBuilder(type));
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  /** By proto name or JSON name, as JsonFormat accepts either. */
  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor byName = type.findFieldByName(name);
    if (byName != null) {
      return byName;
    }
    return type.getFields().stream()
        .filter(field -> field.getJsonName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
