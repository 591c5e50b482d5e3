package io.larder.sdk.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line: {@code 250ms}, {@code 15s}, {@code 2m}, {@code 30d}, {@code 0}, or
 * ISO-8601 {@code PT15S}. Shared by the {@code larder} CLI and the load-test tools.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      // picocli prints a TypeConversionException's message as it is: a usage error, exit 2.
      throw new TypeConversionException(e.getMessage());
    }
  }

  public static Duration parse(String value) {
    if (value.trim().equals("0")) {
      return Duration.ZERO;
    }
    Matcher simple = SIMPLE.matcher(value.trim());
    if (simple.matches()) {
      double amount = Double.parseDouble(simple.group(1));
      double millis =
          switch (simple.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 86_400_000;
          };
      return Duration.ofNanos(Math.round(millis * 1_000_000));
    }
    try {
      return Duration.parse(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "not a duration: '" + value + "' (use e.g. 250ms, 15s, 2m, 30d or PT15S)", e);
    }
  }
}
