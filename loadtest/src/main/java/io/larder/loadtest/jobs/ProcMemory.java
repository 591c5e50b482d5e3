package io.larder.loadtest.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A process's memory as Linux reports it ({@code /proc/<pid>/status}: VmRSS now, VmHWM its peak)
 * and the {@code -Xmx} it was started with ({@code /proc/<pid>/cmdline}; the last one wins, as in
 * the JVM).
 */
record ProcMemory(long rssKb, long peakRssKb, String xmx) {

  static Optional<ProcMemory> of(long pid) throws IOException {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String status = Files.readString(proc.resolve("status"), StandardCharsets.UTF_8);
      String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8);
      return Optional.of(parse(status, List.of(cmdline.split("\0"))));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    }
  }

  static ProcMemory parse(String status, List<String> args) {
    String xmx = "default";
    for (String arg : args) {
      if (arg.startsWith("-Xmx")) {
        xmx = arg.substring("-Xmx".length());
      }
    }
    return new ProcMemory(kilobytes(status, "VmRSS:"), kilobytes(status, "VmHWM:"), xmx);
  }

  private static long kilobytes(String status, String field) {
    for (String line : status.split("\n")) {
      if (line.startsWith(field)) {
        String[] words = line.substring(field.length()).trim().split("\\s+");
        return Long.parseLong(words[0]);
      }
    }
    return -1;
  }
}
