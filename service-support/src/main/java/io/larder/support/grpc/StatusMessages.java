package io.larder.support.grpc;

/**
 * Error messages as they travel: a gRPC status message is a header, and clients refuse header
 * blocks over 8-16 KB, so a message echoing a huge input (a 100,000-character name) would reach the
 * client as INTERNAL "header size exceeded" instead of the refusal it is.
 */
public final class StatusMessages {

  /** Longest message sent; far below any client's header limit. */
  public static final int MAX_CHARS = 2_000;

  private StatusMessages() {}

  /** The message, cut to {@link #MAX_CHARS} with a note of how much was left out. */
  public static String limit(String message) {
    if (message == null || message.length() <= MAX_CHARS) {
      return message;
    }
    return message.substring(0, MAX_CHARS)
        + "… ("
        + (message.length() - MAX_CHARS)
        + " more characters)";
  }
}
