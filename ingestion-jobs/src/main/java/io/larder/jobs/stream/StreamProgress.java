package io.larder.jobs.stream;

import io.larder.jobs.spec.JobSpecs;
import io.larder.proto.larder.JobsProto.JobResult;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running stream job's progress file: its result so far (status RUNNING, totals since start) as
 * one line of protobuf JSON, replaced atomically so a reader sees the previous file or the new one,
 * never half of either. Written on the driver, when the query starts and after each batch.
 */
final class StreamProgress {

  private static final Logger log = LoggerFactory.getLogger(StreamProgress.class);

  private final Path path;
  private final String applicationId;
  private final StreamTotals totals;

  StreamProgress(String path, String applicationId, StreamTotals totals) {
    this.path = path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
    this.applicationId = applicationId;
    this.totals = totals;
  }

  /**
   * Writes the totals as they are now. Synchronized so the start's write and a first batch's cannot
   * land out of order; a failure is logged, never thrown (progress must not fail a batch).
   */
  synchronized void write() {
    JobResult progress =
        totals
            .toResult()
            .setJob("stream_ingestion")
            .setStatus("RUNNING")
            .setApplicationId(applicationId)
            .setSeconds(totals.seconds())
            .build();
    try {
      JobSpecs.writeResult(path, progress);
    } catch (IOException | RuntimeException e) {
      log.warn("could not write stream progress to {}: {}", path, e.toString());
    }
  }
}
