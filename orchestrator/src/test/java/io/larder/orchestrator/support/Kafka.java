package io.larder.orchestrator.support;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
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

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
