package io.larder.registry;

import java.util.Map;

/** Feast's label filters: every requested label must be present with the same value. */
public final class Labels {

  private Labels() {}

  public static boolean containsAll(Map<String, String> labels, Map<String, String> wanted) {
    return wanted.entrySet().stream()
        .allMatch(entry -> entry.getValue().equals(labels.get(entry.getKey())));
  }
}
