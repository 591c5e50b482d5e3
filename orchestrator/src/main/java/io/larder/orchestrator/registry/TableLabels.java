package io.larder.orchestrator.registry;

import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.scheduling.support.CronExpression;

/** The table labels the orchestrator acts on (Feast 0.9 clients carry them as plain labels). */
public final class TableLabels {

  /** {@code json}, {@code avro} or {@code protobuf}: how the Kafka messages are encoded. */
  public static final String STREAM_FORMAT = "larder.io/stream-format";

  /** Batch-ingest the window since the last successful run this often, e.g. {@code 1h}. */
  public static final String INGEST_EVERY = "larder.io/ingest-every";

  /** ...or at the times of this cron expression (second minute hour day month weekday). */
  public static final String INGEST_CRON = "larder.io/ingest-cron";

  /** Start of the first scheduled window (ISO-8601 instant); default: the beginning of time. */
  public static final String INGEST_FROM = "larder.io/ingest-from";

  private TableLabels() {}

  public static boolean streamsJson(FeatureTableSpec table) {
    return "json".equals(table.getLabelsMap().get(STREAM_FORMAT));
  }

  /** A table's batch-ingestion schedule, if it has a valid one. */
  public static Optional<Schedule> schedule(FeatureTableSpec table) {
    String every = table.getLabelsMap().get(INGEST_EVERY);
    String cron = table.getLabelsMap().get(INGEST_CRON);
    if (every == null && cron == null) {
      return Optional.empty();
    }
    Instant from = Instant.EPOCH;
    String fromLabel = table.getLabelsMap().get(INGEST_FROM);
    if (fromLabel != null) {
      from = Instant.parse(fromLabel);
    }
    if (every != null) {
      Duration interval = DurationStyle.detectAndParse(every);
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException(INGEST_EVERY + " must be positive, got " + every);
      }
      return Optional.of(new Schedule(interval, null, from));
    }
    return Optional.of(new Schedule(null, CronExpression.parse(cron), from));
  }

  /** Either an interval or a cron expression, and where the first window starts. */
  public record Schedule(Duration every, CronExpression cron, Instant from) {

    /**
     * When the next run is due, given the last run's time (null: never ran) and when the table was
     * created.
     */
    public Instant nextRun(Instant lastWindowEnd, Instant lastRunAt, Instant tableCreated) {
      if (every != null) {
        // From the last run, whatever became of it: a failing table is retried once per interval.
        return lastRunAt == null ? Instant.MIN : lastRunAt.plus(every);
      }
      Instant base = lastRunAt != null ? lastRunAt : tableCreated;
      Instant next = cron.next(base.atZone(java.time.ZoneOffset.UTC)).toInstant();
      return next;
    }
  }
}
