package io.larder.sdk.definitions;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The documents of a YAML stream as Jackson trees, with the line of every key and list item, so
 * errors found later in a spec can still name their line.
 */
final class YamlDocuments {

  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private YamlDocuments() {}

  /**
   * One document.
   *
   * @param lines 1-based line by JSON pointer: of the key for a field, of the item for a list
   *     element; {@code ""} is the document's first line
   */
  record Document(JsonNode root, Map<String, Integer> lines) {

    int line() {
      return lines.get("");
    }

    /** The line of {@code at}, or of its nearest ancestor that has one. */
    int lineOf(JsonPointer at) {
      for (JsonPointer pointer = at; pointer != null; pointer = pointer.head()) {
        Integer line = lines.get(pointer.toString());
        if (line != null) {
          return line;
        }
      }
      return line();
    }
  }

  /**
   * Every document, in order; an empty document ({@code ---} with nothing after it) is a null root.
   *
   * @throws DefinitionException on a YAML syntax error or a key written twice in one mapping
   * @throws IOException when the reader fails
   */
  static List<Document> read(Reader reader, String source) throws IOException {
    try (JsonParser parser = YAML.createParser(reader)) {
      List<Document> documents = new ArrayList<>();
      while (parser.nextToken() != null) {
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root = readNode(parser, JsonPointer.empty(), lines, source);
        documents.add(new Document(root, lines));
      }
      return documents;
    } catch (JsonProcessingException e) {
      throw syntaxError(e, source);
    }
  }

  /**
   * Where SnakeYAML saw the problem: Jackson's own location is where its parser stopped, often a
   * line early or late; the context mark is where an unclosed bracket or quote opened.
   */
  private static DefinitionException syntaxError(JsonProcessingException error, String source) {
    if (error.getCause() instanceof MarkedYAMLException marked) {
      Mark mark =
          marked.getContextMark() != null ? marked.getContextMark() : marked.getProblemMark();
      String problem =
          marked.getContext() == null
              ? marked.getProblem()
              : marked.getContext() + ": " + marked.getProblem();
      int line = mark == null ? jacksonLine(error) : mark.getLine() + 1;
      return new DefinitionException(source, line, "YAML: " + problem, error);
    }
    return new DefinitionException(
        source, jacksonLine(error), "YAML: " + firstLine(error.getOriginalMessage()), error);
  }

  private static int jacksonLine(JsonProcessingException error) {
    return error.getLocation() == null ? 0 : error.getLocation().getLineNr();
  }

  private static JsonNode readNode(
      JsonParser parser, JsonPointer at, Map<String, Integer> lines, String source)
      throws IOException {
    lines.putIfAbsent(at.toString(), parser.currentTokenLocation().getLineNr());
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> readObject(parser, at, lines, source);
      case START_ARRAY -> readArray(parser, at, lines, source);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(parser);
      case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
      case VALUE_NULL -> NODES.nullNode();
      default -> NODES.textNode(parser.getText());
    };
  }

  private static ObjectNode readObject(
      JsonParser parser, JsonPointer at, Map<String, Integer> lines, String source)
      throws IOException {
    ObjectNode object = NODES.objectNode();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      int keyLine = parser.currentTokenLocation().getLineNr();
      // Jackson would keep the last of two equal keys; in a definition that is always a mistake.
      if (object.has(key)) {
        throw new DefinitionException(source, keyLine, "duplicate key " + key);
      }
      JsonPointer keyAt = at.appendProperty(key);
      lines.put(keyAt.toString(), keyLine);
      parser.nextToken();
      object.set(key, readNode(parser, keyAt, lines, source));
    }
    return object;
  }

  private static ArrayNode readArray(
      JsonParser parser, JsonPointer at, Map<String, Integer> lines, String source)
      throws IOException {
    ArrayNode array = NODES.arrayNode();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      array.add(readNode(parser, at.appendIndex(array.size()), lines, source));
    }
    return array;
  }

  /** The number as written ({@code 1.10} stays 1.10); YAML-only forms like 0x1F by value. */
  private static JsonNode number(JsonParser parser) throws IOException {
    try {
      return DecimalNode.valueOf(new BigDecimal(parser.getText()));
    } catch (NumberFormatException e) {
      return NODES.numberNode(parser.getDecimalValue());
    }
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
