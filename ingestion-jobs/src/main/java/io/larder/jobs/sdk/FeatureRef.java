package io.larder.jobs.sdk;

import java.util.List;

/** A Feast 0.9 feature reference, {@code table:feature}. */
record FeatureRef(String table, String feature) {

  /** Parses every reference before any registry call, so a typo costs no round trip. */
  static List<FeatureRef> parseAll(List<String> refs) {
    if (refs == null || refs.isEmpty()) {
      throw new IllegalArgumentException("featureRefs: at least one \"table:feature\" is required");
    }
    return refs.stream().map(FeatureRef::parse).toList();
  }

  static FeatureRef parse(String ref) {
    String[] parts = ref == null ? new String[0] : ref.split(":", -1);
    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
      throw new IllegalArgumentException(
          "featureRefs: \"" + ref + "\" is not a \"table:feature\" reference");
    }
    return new FeatureRef(parts[0], parts[1]);
  }
}
