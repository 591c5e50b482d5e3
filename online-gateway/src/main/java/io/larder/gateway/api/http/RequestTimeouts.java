package io.larder.gateway.api.http;

import io.larder.gateway.GatewayException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * The HTTP counterpart of a gRPC deadline: {@value #HEADER} bounds the whole lookup, as a number
 * with a unit ({@code 250ms}, {@code 2s}, {@code 1m}) or bare milliseconds; without it the
 * gateway's larder.gateway.request-timeout applies. A lookup past it answers 504.
 */
final class RequestTimeouts {

  static final String HEADER = "X-Request-Timeout";

  private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s|m)?\\s*");

  private RequestTimeouts() {}

  static Duration budget(ServerRequest request, Duration defaultBudget) {
    String header = request.headers().firstHeader(HEADER);
    return header == null ? defaultBudget : parse(header);
  }

  static Duration parse(String header) {
    Matcher matcher = DURATION.matcher(header);
    if (!matcher.matches()) {
      throw GatewayException.invalid(
          HEADER
              + ": '"
              + header
              + "' is not a duration (a positive number with ms, s or m; bare numbers are"
              + " milliseconds)");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
    Duration budget =
        switch (unit) {
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofMillis(amount);
        };
    if (budget.isZero()) {
      throw GatewayException.invalid(HEADER + ": must be positive");
    }
    return budget;
  }
}
