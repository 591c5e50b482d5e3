package io.larder.loadtest.h2load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary h2load prints at the end of a run (nghttp2 1.5x), and the CPU times {@code times}
 * printed after it.
 *
 * @param seconds the run's wall time ("finished in")
 * @param done requests that ended; {@code succeeded} of them with a 2xx or 3xx status
 * @param dataBytes DATA frame payload received (every answer body)
 */
record H2loadOutput(
    double seconds,
    long done,
    long succeeded,
    long failed,
    long errored,
    long timedOut,
    long status2xx,
    long dataBytes) {

  private static final Pattern FINISHED = Pattern.compile("finished in ([0-9.]+)(ms|s)");
  private static final Pattern REQUESTS =
      Pattern.compile(
          "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed,"
              + " (\\d+) errored, (\\d+) timeout");
  private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx");
  private static final Pattern DATA = Pattern.compile("\\((\\d+)\\) data");
  private static final Pattern TIMES = Pattern.compile("(?m)^(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s$");

  static H2loadOutput parse(String text) {
    Matcher finished = find(FINISHED, text);
    double seconds = Double.parseDouble(finished.group(1));
    if (finished.group(2).equals("ms")) {
      seconds /= 1000;
    }
    Matcher requests = find(REQUESTS, text);
    return new H2loadOutput(
        seconds,
        Long.parseLong(requests.group(3)),
        Long.parseLong(requests.group(4)),
        Long.parseLong(requests.group(5)),
        Long.parseLong(requests.group(6)),
        Long.parseLong(requests.group(7)),
        Long.parseLong(find(STATUS, text).group(1)),
        Long.parseLong(find(DATA, text).group(1)));
  }

  /** User + system seconds of the shell's children: the last line {@code times} printed. */
  static double childCpuSeconds(String text) {
    Matcher times = TIMES.matcher(text);
    double seconds = Double.NaN;
    while (times.find()) {
      seconds =
          Long.parseLong(times.group(1)) * 60
              + Double.parseDouble(times.group(2))
              + Long.parseLong(times.group(3)) * 60
              + Double.parseDouble(times.group(4));
    }
    return seconds;
  }

  private static Matcher find(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    if (!matcher.find()) {
      throw new IllegalStateException("h2load printed no \"" + pattern + "\":\n" + text);
    }
    return matcher;
  }
}
