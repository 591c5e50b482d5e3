package io.larder.jobs.stream;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a stream job back until its Kafka topic exists. A table may be applied before its first
 * event, and Spark's Kafka source fails at once on a missing topic; servers that cannot be reached
 * are waited on the same way, since the job is long-lived. One line is logged when the wait starts
 * and one per {@code logEvery} while it lasts; between looks the thread sleeps.
 */
final class TopicWait {

  private static final Logger log = LoggerFactory.getLogger(TopicWait.class);

  /** What one look at the servers found: the topic, or why not. */
  record Look(boolean exists, String reason) {
    static final Look EXISTS = new Look(true, "");

    static Look missing(String reason) {
      return new Look(false, reason);
    }
  }

  /** One look at the servers (Kafka's AdminClient in the job, a fake in tests). */
  interface Probe extends AutoCloseable {
    Look look(String topic) throws InterruptedException;

    @Override
    void close();
  }

  private TopicWait() {}

  /**
   * Returns once {@code probe} finds {@code topic}. Ends early with {@link InterruptedException}
   * when the thread is interrupted, or {@link CancellationException} when {@code stopped} says the
   * job is going away (its SparkContext stopped).
   */
  static void await(
      Probe probe,
      String topic,
      String servers,
      Duration poll,
      Duration logEvery,
      BooleanSupplier stopped)
      throws InterruptedException {
    long started = System.nanoTime();
    long nextLog = started;
    boolean waited = false;
    while (true) {
      Look look = probe.look(topic);
      if (look.exists()) {
        if (waited) {
          log.info(
              "topic {} on servers {} exists after {} s of waiting",
              topic,
              servers,
              seconds(started));
        }
        return;
      }
      if (stopped.getAsBoolean()) {
        throw new CancellationException(
            "stopped while waiting for topic " + topic + " on servers " + servers + " to exist");
      }
      long now = System.nanoTime();
      if (now - nextLog >= 0) {
        if (waited) {
          log.warn(
              "still waiting for topic {} on servers {} to exist after {} s ({})",
              topic,
              servers,
              seconds(started),
              look.reason());
        } else {
          log.warn(
              "waiting for topic {} on servers {} to exist ({})", topic, servers, look.reason());
        }
        nextLog = now + logEvery.toNanos();
      }
      waited = true;
      TimeUnit.NANOSECONDS.sleep(poll.toNanos());
    }
  }

  private static long seconds(long startedNanos) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
  }
}
