package io.larder.sdk.definitions;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.larder.sdk.definitions.Definition.Kind;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What applying a spec would change, as lines for people, one per change, sorted by path:
 *
 * <pre>
 * + feature-table driver_trips (new)
 * ~ feature-table driver_trips: features[rating].valueType DOUBLE -&gt; FLOAT
 * + feature-table driver_trips: features[acc_rate] {valueType: FLOAT}
 * - feature-table driver_trips: features[old]
 * + feature-table driver_trips: entities[customer_id]
 * ~ feature-table driver_trips: labels[team] ml -&gt; search
 * ~ feature-table driver_trips: maxAge 3600s -&gt; 7200s
 * </pre>
 *
 * Specs are compared in their protobuf JSON form without default values, so an unset field and one
 * set to its default are the same. Features are matched by name, entities are a set and the order
 * of either does not count; map fields (labels, fieldMapping) are compared entry by entry.
 */
public final class SpecDiff {

  // Sorted map keys: equal maps render alike whatever order they were built in.
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().sortingMapKeys();
  private static final ObjectMapper JSON = new ObjectMapper();
  // Scalars that read unambiguously without quotes; anything else is shown as a JSON string.
  private static final Pattern PLAIN = Pattern.compile("[^\\s,{}\\[\\]\"'#]+");

  private final String subject;
  private final List<Change> changes = new ArrayList<>();

  private record Change(String path, String line) {}

  private SpecDiff(String subject) {
    this.subject = subject;
  }

  /**
   * The changes from {@code current} to {@code wanted}: empty when they are equal, one {@code
   * (new)} line when {@code current} is null.
   *
   * @param current the registry's spec, or null when it has none of that name
   * @param wanted an {@code EntitySpecV2} or {@code FeatureTableSpec}; current of the same type
   */
  public static List<String> diff(Message current, Message wanted) {
    requireNonNull(wanted, "wanted");
    Kind kind = Kind.of(wanted);
    String subject = kind.noun() + " " + Kind.name(wanted);
    if (current == null) {
      return List.of("+ " + subject + " (new)");
    }
    if (current.getDescriptorForType() != wanted.getDescriptorForType()) {
      throw new IllegalArgumentException(
          "cannot compare a "
              + current.getDescriptorForType().getFullName()
              + " with a "
              + wanted.getDescriptorForType().getFullName());
    }
    SpecDiff diff = new SpecDiff(subject);
    diff.compareMessages("", json(current), json(wanted), wanted.getDescriptorForType());
    return diff.changes.stream()
        .sorted(Comparator.comparing(Change::path).thenComparing(Change::line))
        .map(Change::line)
        .toList();
  }

  private void compareMessages(String path, JsonNode current, JsonNode wanted, Descriptor type) {
    TreeSet<String> keys = new TreeSet<>();
    current.fieldNames().forEachRemaining(keys::add);
    wanted.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      compareField(join(path, key), jsonField(type, key), current.get(key), wanted.get(key));
    }
  }

  private void compareField(String path, FieldDescriptor field, JsonNode current, JsonNode wanted) {
    if (current == null || wanted == null || field == null) {
      compareValues(path, null, current, wanted);
    } else if (field.isMapField()) {
      FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
      compareEntries(path, fields(current), fields(wanted), valueField);
    } else if (field.isRepeated() && isNamedMessage(field) && hasUniqueNames(current, wanted)) {
      compareEntries(path, byName(current), byName(wanted), field);
    } else if (field.isRepeated() && field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      compareSets(path, current, wanted);
    } else {
      compareValues(path, field, current, wanted);
    }
  }

  /** Entries of a map, or list items by name: added, removed, or compared by key. */
  private void compareEntries(
      String path,
      Map<String, JsonNode> current,
      Map<String, JsonNode> wanted,
      FieldDescriptor valueField) {
    TreeSet<String> keys = new TreeSet<>(current.keySet());
    keys.addAll(wanted.keySet());
    for (String key : keys) {
      compareValues(path + "[" + key + "]", valueField, current.get(key), wanted.get(key));
    }
  }

  private void compareSets(String path, JsonNode current, JsonNode wanted) {
    TreeSet<String> before = texts(current);
    TreeSet<String> after = texts(wanted);
    for (String item : after) {
      if (!before.contains(item)) {
        add(path + "[" + item + "]", "+ " + subject + ": " + path + "[" + item + "]");
      }
    }
    for (String item : before) {
      if (!after.contains(item)) {
        add(path + "[" + item + "]", "- " + subject + ": " + path + "[" + item + "]");
      }
    }
  }

  /** {@code field} null: compared as a whole. */
  private void compareValues(
      String path, FieldDescriptor field, JsonNode current, JsonNode wanted) {
    if (current == null && wanted == null) {
      return;
    }
    if (current == null) {
      add(path, "+ " + subject + ": " + path + " " + render(wanted));
    } else if (wanted == null) {
      add(path, "- " + subject + ": " + path);
    } else if (field != null
        && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && current.isObject()
        && wanted.isObject()) {
      compareMessages(path, current, wanted, field.getMessageType());
    } else if (!current.equals(wanted)) {
      add(path, "~ " + subject + ": " + path + " " + render(current) + " -> " + render(wanted));
    }
  }

  private void add(String path, String line) {
    changes.add(new Change(path, line));
  }

  private static boolean isNamedMessage(FieldDescriptor field) {
    return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && field.getMessageType().findFieldByName("name") != null;
  }

  private static boolean hasUniqueNames(JsonNode current, JsonNode wanted) {
    return byName(current).size() == current.size() && byName(wanted).size() == wanted.size();
  }

  /** Items by name, each without its name: the path already says it. */
  private static Map<String, JsonNode> byName(JsonNode items) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    items.forEach(
        item ->
            byName.put(item.path("name").asText(), ((ObjectNode) item.deepCopy()).without("name")));
    return byName;
  }

  private static Map<String, JsonNode> fields(JsonNode object) {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    object.properties().forEach(field -> fields.put(field.getKey(), field.getValue()));
    return fields;
  }

  private static TreeSet<String> texts(JsonNode items) {
    TreeSet<String> texts = new TreeSet<>();
    items.forEach(item -> texts.add(item.asText()));
    return texts;
  }

  /** JsonFormat prints JSON names. */
  private static FieldDescriptor jsonField(Descriptor type, String jsonName) {
    return type.getFields().stream()
        .filter(field -> field.getJsonName().equals(jsonName))
        .findFirst()
        .orElse(null);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** One line, flow style: {@code {name: acc_rate, valueType: FLOAT}}. */
  private static String render(JsonNode node) {
    if (node.isObject()) {
      List<String> fields = new ArrayList<>();
      node.properties()
          .forEach(field -> fields.add(field.getKey() + ": " + render(field.getValue())));
      return "{" + String.join(", ", fields) + "}";
    }
    if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(render(item)));
      return "[" + String.join(", ", items) + "]";
    }
    String text = node.asText();
    if (!node.isTextual() || PLAIN.matcher(text).matches()) {
      return text;
    }
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode json(Message spec) {
    try {
      return JSON.readTree(PRINTER.print(spec));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + spec.getDescriptorForType(), e);
    }
  }
}
