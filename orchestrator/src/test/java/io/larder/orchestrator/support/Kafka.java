package io.larder.orchestrator.support;

import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces JSON driver events to the stack's Kafka. */
public final class Kafka implements AutoCloseable {

  private final KafkaProducer<String, String> producer;

  public Kafka() {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, OrchestratorTestBase.KAFKA);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(settings);
  }

  /** One driver event: trips and rating at epoch second {@code ts}; waits for the ack. */
  public void driverEvent(String topic, long driverId, long trips, double rating, long ts) {
    String json =
        "{\"driver_id\": %d, \"trips\": %d, \"rating\": %s, \"ts\": %d}"
            .formatted(driverId, trips, rating, ts);
    try {
      producer
          .send(new ProducerRecord<>(topic, Long.toString(driverId), json))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not produce to " + topic, e);
    }
  }

  /**
   * Produces driver 1000, 1001, ... (trips = the driver's id) every 50 ms on a thread of its own
   * until closed; {@link SteadyEvents#last()} is the last driver acknowledged.
   */
  public SteadyEvents steadyEvents(String topic) {
    return new SteadyEvents(topic);
  }

  /** A running producer of one event per driver; closing it stops and joins it. */
  public final class SteadyEvents implements AutoCloseable {
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicLong last = new AtomicLong(999);
    private final Thread thread;

    private SteadyEvents(String topic) {
      thread =
          new Thread(
              () -> {
                while (producing.get()) {
                  long driver = last.get() + 1;
                  driverEvent(topic, driver, driver, 3.0, Instant.now().getEpochSecond());
                  last.set(driver);
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "steady-events-" + topic);
      thread.start();
    }

    /** The last driver whose event Kafka acknowledged (999 before the first). */
    public long last() {
      return last.get();
    }

    @Override
    public void close() throws InterruptedException {
      producing.set(false);
      thread.join(30_000);
    }
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
