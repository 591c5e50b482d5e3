package io.larder.loadtest.http;

import io.larder.loadtest.driver.CallResult;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a JSON answer as its bytes arrive, without parsing it: the driver shares the machine with
 * the gateway, and a full JSON parse would cost more CPU than the gateway spends printing. It
 * counts the rows (a {@code "statuses":} key per row, and the lines of NDJSON) and keeps the first
 * row's statuses object to count which requested features were {@code PRESENT}, as the gRPC
 * driver's {@code ResponseCheck} does for one sampled row. A {@code "statuses":} can only be a key:
 * inside a JSON string every quote is escaped. One scan per answer; not thread-safe.
 */
final class JsonAnswerScan implements ByteProcessor {

  /** The gateway answered, but not what was asked. */
  static final class WrongAnswerException extends RuntimeException {
    WrongAnswerException(String message) {
      super(message, null, false, false);
    }
  }

  private static final byte[] STATUSES = "\"statuses\":".getBytes(StandardCharsets.US_ASCII);
  private static final int[] FALLBACK = fallback(STATUSES);
  // A statuses object holds one short key and enum name per feature; past this it is not one.
  private static final int MAX_CAPTURE = 1 << 20;
  private static final Pattern STATUS = Pattern.compile("\"([^\"]+)\":\"([A-Z_]+)\"");

  private int matched;
  private int statuses;
  private int lines;
  private long bytes;
  private StringBuilder firstStatuses;
  private boolean capturing;

  @Override
  public boolean process(byte value) {
    bytes++;
    if (value == '\n') {
      lines++;
    }
    if (capturing) {
      firstStatuses.append((char) (value & 0xff));
      if (value == '}' || firstStatuses.length() >= MAX_CAPTURE) {
        capturing = false;
      }
    }
    // Knuth-Morris-Pratt over the one pattern: answers may split it across frames.
    while (matched > 0 && value != STATUSES[matched]) {
      matched = FALLBACK[matched - 1];
    }
    if (value == STATUSES[matched]) {
      matched++;
    }
    if (matched == STATUSES.length) {
      matched = FALLBACK[matched - 1];
      if (statuses++ == 0) {
        firstStatuses = new StringBuilder(1024);
        capturing = true;
      }
    }
    return true;
  }

  void feed(byte[] chunk) {
    for (byte b : chunk) {
      process(b);
    }
  }

  int statuses() {
    return statuses;
  }

  int lines() {
    return lines;
  }

  long bytes() {
    return bytes;
  }

  /**
   * The verdict on a complete answer.
   *
   * @param ndjson one StreamedFeatureRow per line (the stream endpoint), else one
   *     GetOnlineFeaturesResponse
   * @param featureKeys the requested features as the answer names them, {@code table:feature}
   * @throws WrongAnswerException when the row count is not the request's
   */
  CallResult result(int expectedRows, boolean ndjson, String[] featureKeys) {
    if (ndjson && lines != expectedRows) {
      throw new WrongAnswerException("expected " + expectedRows + " lines, got " + lines);
    }
    if (statuses != expectedRows) {
      throw new WrongAnswerException("expected " + expectedRows + " rows, got " + statuses);
    }
    if (firstStatuses == null) {
      return new CallResult(statuses, 0, 0);
    }
    long present = 0;
    Matcher status = STATUS.matcher(firstStatuses);
    Set<String> presentKeys = new HashSet<>();
    while (status.find()) {
      if (status.group(2).equals("PRESENT")) {
        presentKeys.add(status.group(1));
      }
    }
    for (String key : featureKeys) {
      if (presentKeys.contains(key)) {
        present++;
      }
    }
    return new CallResult(statuses, present, featureKeys.length);
  }

  /** KMP: for each matched prefix length - 1, the longest proper border of that prefix. */
  private static int[] fallback(byte[] pattern) {
    int[] border = new int[pattern.length];
    int k = 0;
    for (int i = 1; i < pattern.length; i++) {
      while (k > 0 && pattern[i] != pattern[k]) {
        k = border[k - 1];
      }
      if (pattern[i] == pattern[k]) {
        k++;
      }
      border[i] = k;
    }
    return border;
  }
}
