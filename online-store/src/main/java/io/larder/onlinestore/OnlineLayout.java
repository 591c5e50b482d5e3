package io.larder.onlinestore;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a feature table's rows are laid out in Redis, chosen per table by its label {@code
 * larder.io/online-layout}: {@link #HASH} (Feast 0.9's, the default) or {@link #PACKED} (one string
 * per entity key and table, see PackedRows).
 */
public enum OnlineLayout {
  HASH,
  PACKED;

  public static final String LABEL = "larder.io/online-layout";

  /** The label's value for this layout. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The layout a table's labels choose; {@link #HASH} without the label.
   *
   * @throws IllegalArgumentException when the label names no layout
   */
  public static OnlineLayout of(Map<String, String> labels) {
    String value = labels.get(LABEL);
    if (value == null || value.isEmpty()) {
      return HASH;
    }
    return Arrays.stream(values())
        .filter(layout -> layout.label().equals(value))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "label "
                        + LABEL
                        + " must be one of "
                        + Arrays.stream(values())
                            .map(OnlineLayout::label)
                            .collect(Collectors.joining(", "))
                        + ", got '"
                        + value
                        + "'"));
  }
}
