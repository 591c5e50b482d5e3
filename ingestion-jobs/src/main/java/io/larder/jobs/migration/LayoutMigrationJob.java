package io.larder.jobs.migration;

import io.larder.jobs.online.LayoutCopy;
import io.larder.jobs.spec.JobSpecs;
import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one table's online rows into the other layout around the registry's switch: a first copy
 * while the table is still read and written in the old layout, then (once the job service says the
 * registry names the new layout and nothing writes the old one) a second copy of what changed
 * meanwhile, then the old layout's rows removed. Both copies are newest-wins, so rows the new
 * layout's writers stored in between are never replaced by older ones. A plain JVM job: no Spark.
 */
public final class LayoutMigrationJob {

  private static final Logger log = LoggerFactory.getLogger(LayoutMigrationJob.class);
  private static final Duration PROCEED_POLL = Duration.ofMillis(250);

  private final LayoutMigrationSpec spec;
  private final OnlineLayout from;
  private final OnlineLayout to;
  private final Path progressPath;
  private final long startNanos = System.nanoTime();
  private final JobResult.Builder totals = JobResult.newBuilder().setJob("layout_migration");

  private LayoutMigrationJob(LayoutMigrationSpec spec) {
    this.spec = spec;
    if (spec.getTable().getName().isEmpty()) {
      throw new IllegalArgumentException("spec.table.name: must not be empty");
    }
    if (spec.getRedis().getUri().isEmpty()) {
      throw new IllegalArgumentException("spec.redis.uri: must not be empty");
    }
    this.from = layout("from_layout", spec.getFromLayout());
    this.to = layout("to_layout", spec.getToLayout());
    if (from == to) {
      throw new IllegalArgumentException(
          "from_layout and to_layout are both '" + from.label() + "': nothing to move");
    }
    this.progressPath = path(spec.getProgressPath());
  }

  /** Runs the whole migration; fails (IllegalArgumentException) on a spec that names no move. */
  public static JobResult run(LayoutMigrationSpec spec) throws IOException, InterruptedException {
    return new LayoutMigrationJob(spec).run();
  }

  private JobResult run() throws IOException, InterruptedException {
    String table = spec.getProject() + "/" + spec.getTable().getName();
    LayoutCopy copy = new LayoutCopy(spec.getProject(), spec.getTable(), spec.getRedis());
    report("copying " + from.label() + " rows into the " + to.label() + " layout", false);
    add(copy.copy(from, to));
    log.info(
        "table {}: {} rows copied from the {} layout ({} already newer there)",
        table,
        totals.getRowsWritten(),
        from.label(),
        totals.getRowsNotNewer());
    Path proceed = path(spec.getProceedPath());
    if (proceed != null) {
      report("copied; waiting for the switch to the " + to.label() + " layout", true);
      while (!Files.exists(proceed)) {
        Thread.sleep(PROCEED_POLL.toMillis());
      }
      report("copying again what was written meanwhile", true);
      add(copy.copy(from, to));
    }
    report("removing the " + from.label() + " rows", true);
    totals.setRowsRemoved(copy.removeRows(from));
    log.info(
        "table {}: now in the {} layout; {} rows of the {} layout removed",
        table,
        to.label(),
        totals.getRowsRemoved(),
        from.label());
    return totals.setStatus("SUCCEEDED").setPhase("done").setSeconds(seconds()).build();
  }

  private void add(LayoutCopy.Counts counts) {
    totals
        .setRowsRead(totals.getRowsRead() + counts.rowsFound())
        .setRowsWritten(totals.getRowsWritten() + counts.rowsWritten())
        .setRowsNotNewer(totals.getRowsNotNewer() + counts.rowsNotNewer());
  }

  /** The progress file the job service reads: the phase, the counts so far, ready once copied. */
  private void report(String phase, boolean ready) throws IOException {
    log.info("table {}/{}: {}", spec.getProject(), spec.getTable().getName(), phase);
    totals.setPhase(phase).setReady(ready);
    if (progressPath != null) {
      JobSpecs.writeResult(
          progressPath, totals.clone().setStatus("RUNNING").setSeconds(seconds()).build());
    }
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static OnlineLayout layout(String field, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("spec." + field + ": must be hash or packed");
    }
    try {
      return OnlineLayout.of(Map.of(OnlineLayout.LABEL, value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec." + field + ": " + e.getMessage(), e);
    }
  }

  private static Path path(String location) {
    if (location.isEmpty()) {
      return null;
    }
    return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
  }
}
