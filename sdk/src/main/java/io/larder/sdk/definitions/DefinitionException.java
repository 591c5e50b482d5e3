package io.larder.sdk.definitions;

/**
 * A definition file refused before anything is sent: its message starts with {@code file:line: }
 * (or {@code file: } when the problem is the file itself) and says what is wrong.
 */
public final class DefinitionException extends RuntimeException {

  private final String source;
  private final int line;

  /**
   * @param line 1-based, or 0 when the problem is the whole file (missing, unreadable)
   */
  public DefinitionException(String source, int line, String problem) {
    this(source, line, problem, null);
  }

  public DefinitionException(String source, int line, String problem, Throwable cause) {
    super((line > 0 ? source + ":" + line : source) + ": " + problem, cause);
    this.source = source;
    this.line = line;
  }

  /** The file as the caller named it, or the name given for a stream ({@code -} for stdin). */
  public String source() {
    return source;
  }

  /** 1-based; 0 when the problem is the whole file. */
  public int line() {
    return line;
  }
}
