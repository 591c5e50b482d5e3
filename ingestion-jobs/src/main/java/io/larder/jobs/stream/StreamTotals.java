package io.larder.jobs.stream;

import io.larder.jobs.source.FeatureSource;
import io.larder.proto.larder.JobsProto.JobResult;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a running stream job has done since it started, summed over its micro-batches (which run on
 * the driver, one at a time); reported in its result and logged with every batch.
 */
public final class StreamTotals {

  private final long startedNanos = System.nanoTime();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong notNewer = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong nullEntity = new AtomicLong();
  private final AtomicLong nullTimestamp = new AtomicLong();
  private final AtomicLong wrongType = new AtomicLong();
  private volatile boolean ready;

  void add(
      long batchMessages, long batchWritten, long batchNotNewer, Map<String, Long> deadLetters) {
    messages.addAndGet(batchMessages);
    written.addAndGet(batchWritten);
    notNewer.addAndGet(batchNotNewer);
    malformed.addAndGet(deadLetters.getOrDefault(StreamIngestionJob.MALFORMED, 0L));
    nullEntity.addAndGet(deadLetters.getOrDefault(FeatureSource.NULL_ENTITY, 0L));
    nullTimestamp.addAndGet(deadLetters.getOrDefault(FeatureSource.NULL_TIMESTAMP, 0L));
    wrongType.addAndGet(deadLetters.getOrDefault(FeatureSource.WRONG_TYPE, 0L));
  }

  /** The query has completed a micro-batch or found its topic without new messages. */
  void markReady() {
    ready = true;
  }

  boolean ready() {
    return ready;
  }

  /** Messages sent to the dead-letter path, for every reason. */
  public long deadLetters() {
    return malformed.get() + nullEntity.get() + nullTimestamp.get() + wrongType.get();
  }

  /** Seconds since these totals started (when the job did). */
  public double seconds() {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** The counts as a job result (job, status and time are the caller's). */
  public JobResult.Builder toResult() {
    return JobResult.newBuilder()
        .setRowsRead(messages.get())
        .setRowsWritten(written.get())
        .setRowsNotNewer(notNewer.get())
        .setMessagesMalformed(malformed.get())
        .setRowsSkippedNullEntity(nullEntity.get())
        .setRowsSkippedNullTimestamp(nullTimestamp.get())
        .setRowsSkippedWrongType(wrongType.get())
        .setReady(ready);
  }

  @Override
  public String toString() {
    return "%d messages: %d written, %d not newer, %d dead letters (%d malformed, %d null entity, %d null timestamp, %d wrong type)"
        .formatted(
            messages.get(),
            written.get(),
            notNewer.get(),
            deadLetters(),
            malformed.get(),
            nullEntity.get(),
            nullTimestamp.get(),
            wrongType.get());
  }
}
