package io.larder.sdk.definitions;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One document of a definition file: what it defines, in which project ({@code null}: the caller's
 * default), the spec as the registry takes it, and where it was written.
 *
 * @param spec an {@link EntitySpecV2} or a {@link FeatureTableSpec}, as {@code kind} says
 * @param source the file as the caller named it
 * @param line the 1-based line where the document starts
 */
public record Definition(Kind kind, String project, Message spec, String source, int line) {

  public Definition {
    requireNonNull(kind, "kind");
    requireNonNull(spec, "spec");
    requireNonNull(source, "source");
    if (Kind.of(spec) != kind) {
      throw new IllegalArgumentException(
          kind + " definition with a " + spec.getDescriptorForType().getFullName());
    }
  }

  /** The spec's {@code name}. */
  public String name() {
    return Kind.name(spec);
  }

  /** {@code file:line}, for messages. */
  public String location() {
    return source + ":" + line;
  }

  /**
   * @throws IllegalStateException when this defines a feature table
   */
  public EntitySpecV2 entitySpec() {
    if (kind != Kind.ENTITY) {
      throw new IllegalStateException(location() + " defines a " + kind.noun());
    }
    return (EntitySpecV2) spec;
  }

  /**
   * @throws IllegalStateException when this defines an entity
   */
  public FeatureTableSpec featureTableSpec() {
    if (kind != Kind.FEATURE_TABLE) {
      throw new IllegalStateException(location() + " defines an " + kind.noun());
    }
    return (FeatureTableSpec) spec;
  }

  /** What a document defines, by the spec message it holds. */
  public enum Kind {
    ENTITY("Entity", "entity", EntitySpecV2.getDefaultInstance()),
    FEATURE_TABLE("FeatureTable", "feature-table", FeatureTableSpec.getDefaultInstance());

    private final String yamlName;
    private final String noun;
    private final Message emptySpec;

    Kind(String yamlName, String noun, Message emptySpec) {
      this.yamlName = yamlName;
      this.noun = noun;
      this.emptySpec = emptySpec;
    }

    /** As written after {@code kind:}, e.g. {@code FeatureTable}. */
    public String yamlName() {
      return yamlName;
    }

    /** As the CLI names it, e.g. {@code feature-table}. */
    public String noun() {
      return noun;
    }

    /**
     * @throws IllegalArgumentException when {@code spec} is neither an EntitySpecV2 nor a
     *     FeatureTableSpec
     */
    public static Kind of(Message spec) {
      return Arrays.stream(values())
          .filter(kind -> kind.emptySpec.getDescriptorForType() == spec.getDescriptorForType())
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "not an entity or feature table spec: "
                          + spec.getDescriptorForType().getFullName()));
    }

    /**
     * {@code Entity} and {@code FeatureTable}, in any case and with {@code _} or {@code -} between
     * the words, so Feast's {@code entity} and {@code feature_table} read too.
     */
    static Optional<Kind> fromYaml(String kind) {
      String folded = kind.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
      return Arrays.stream(values())
          .filter(candidate -> candidate.yamlName.toLowerCase(Locale.ROOT).equals(folded))
          .findFirst();
    }

    Message.Builder newSpecBuilder() {
      return emptySpec.newBuilderForType();
    }

    static String name(Message spec) {
      return (String) spec.getField(spec.getDescriptorForType().findFieldByName("name"));
    }
  }
}
