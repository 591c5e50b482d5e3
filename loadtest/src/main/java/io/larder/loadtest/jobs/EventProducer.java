package io.larder.loadtest.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces the benchmark's JSON events to Kafka at a steady rate (open model: event i falls due at
 * start + i / rate, whatever happened before), each to its own entity key with the value of its
 * sequence number. Sends are asynchronous; every one is bounded by the producer's timeouts.
 */
final class EventProducer implements AutoCloseable {

  /** How far sends fell behind their due time, and how long Kafka took to acknowledge. */
  record Stats(Histogram sendLag, Histogram ack) {}

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Histogram sendLag = new SynchronizedHistogram(TimeUnit.MINUTES.toNanos(10), 3);
  private final Histogram ack = new SynchronizedHistogram(TimeUnit.MINUTES.toNanos(10), 3);

  EventProducer(String bootstrapServers, String topic) {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    // Each event leaves at once: batching would add up to linger.ms to every latency measured.
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    this.producer = new KafkaProducer<>(settings);
    this.topic = topic;
  }

  /** Sends one event now, recording it in {@code tracker} just before. */
  void send(FreshnessTracker tracker, long key, long seq) {
    long sent = System.nanoTime();
    tracker.sent(key, seq, sent);
    producer.send(
        new ProducerRecord<>(topic, Long.toString(key), BenchTables.event(key, seq, Instant.now())),
        (metadata, error) -> {
          if (error != null) {
            tracker.sendFailed(key);
          } else {
            ack.recordValue(System.nanoTime() - sent);
          }
        });
  }

  /**
   * Sends {@code count} events at {@code rate} per second, keys {@code keyBase + seq} for seq in
   * [0, count), then marks the tracker's production done.
   */
  void produce(FreshnessTracker tracker, long keyBase, int count, double rate) {
    long intervalNanos = Math.round(1e9 / rate);
    long start = System.nanoTime();
    try {
      for (int seq = 0; seq < count; seq++) {
        long due = start + seq * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        sendLag.recordValue(Math.max(0, System.nanoTime() - due));
        send(tracker, keyBase + seq, seq);
      }
      producer.flush();
    } finally {
      tracker.producerDone();
    }
  }

  Stats stats() {
    return new Stats(sendLag.copy(), ack.copy());
  }

  void resetStats() {
    sendLag.reset();
    ack.reset();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
