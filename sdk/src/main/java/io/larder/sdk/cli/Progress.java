package io.larder.sdk.cli;

import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * A waited-for job's state as it goes: one line redrawn in place on a terminal (a bar, state,
 * elapsed, rows), one line per change otherwise (logs and pipes stay readable).
 */
final class Progress implements Consumer<JobDetails> {

  private static final String[] SPINNER = {"|", "/", "-", "\\"};

  private final PrintWriter err;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private String lastLine = "";
  private int ticks;

  Progress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  static Progress forConsole(PrintWriter err) {
    return new Progress(err, System.console() != null && System.getenv("TERM") != null);
  }

  @Override
  public void accept(JobDetails details) {
    String state = details.getJob().getStatus().name().replace("JOB_STATUS_", "");
    long rows = details.getProgress().getRowsRead();
    long written = details.getProgress().getRowsWritten();
    long output = details.getProgress().getRowsOutput();
    String counts =
        output > 0
            ? "%d rows out".formatted(output)
            : rows > 0 ? "%d rows read, %d written".formatted(rows, written) : "";
    String phase = details.getProgress().getPhase();
    if (!phase.isEmpty() && !state.equals("DONE")) {
      counts = counts.isEmpty() ? phase : counts + ": " + phase;
    }
    String line = "job %s %s %s".formatted(details.getJob().getId(), state, counts).stripTrailing();
    double seconds = (System.nanoTime() - started) / 1e9;
    if (terminal) {
      boolean ended = state.equals("DONE") || state.equals("ERROR");
      String bar = ended ? "[##########]" : "[" + SPINNER[ticks++ % SPINNER.length] + "         ]";
      err.print("\r\033[K" + bar + " " + line + " (%.0f s)".formatted(seconds));
      if (ended) {
        err.println();
      }
      err.flush();
    } else if (!line.equals(lastLine)) {
      err.println(line + " (%.1f s)".formatted(seconds));
      err.flush();
    }
    lastLine = line;
  }
}
