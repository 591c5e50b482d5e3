package io.larder.loadtest.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A process's CPU time as the kernel counts it: {@code utime + stime} of {@code /proc/<pid>/stat},
 * in clock ticks ({@code getconf CLK_TCK}, 100 on Linux). Every thread of the process counts, so a
 * JVM's JIT and GC time is in it too, as it is in what the process costs.
 */
public final class ProcessCpu {

  // Fields 14 and 15 of proc(5), counted from the first field after the command's ")" (field 3).
  private static final int UTIME_AFTER_COMMAND = 14 - 3;
  private static final int STIME_AFTER_COMMAND = 15 - 3;

  private ProcessCpu() {}

  /** utime + stime of {@code pid} in clock ticks; empty when the process is gone or unreadable. */
  public static OptionalLong ticks(long pid) {
    try {
      return OptionalLong.of(
          parseTicks(
              Files.readString(
                  Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * utime + stime of one {@code /proc/<pid>/stat} line. The command (field 2) is in parentheses and
   * may itself hold spaces and parentheses, so fields are counted from its last ")".
   */
  static long parseTicks(String stat) {
    int commandEnd = stat.lastIndexOf(')');
    if (commandEnd < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] fields = stat.substring(commandEnd + 1).trim().split("\\s+");
    if (fields.length <= STIME_AFTER_COMMAND) {
      throw new IllegalArgumentException("too few fields in /proc/<pid>/stat: " + stat);
    }
    return Long.parseLong(fields[UTIME_AFTER_COMMAND])
        + Long.parseLong(fields[STIME_AFTER_COMMAND]);
  }
}
