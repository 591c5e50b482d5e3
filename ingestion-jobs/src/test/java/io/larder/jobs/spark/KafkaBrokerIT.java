package io.larder.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The stream jobs' source: the KRaft broker that scripts/stack starts. */
class KafkaBrokerIT {

  private static final String BOOTSTRAP =
      "127.0.0.1:" + System.getenv().getOrDefault("LARDER_KAFKA_PORT", "9092");

  @Test
  void producedMessagesCanBeConsumedFromTheStackBroker() throws Exception {
    String topic = "larder-it-" + UUID.randomUUID();
    Map<String, Object> producerConfig =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (var producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "driver_1", "trips=3")).get(30, TimeUnit.SECONDS);
    }

    Map<String, Object> consumerConfig =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
            ConsumerConfig.GROUP_ID_CONFIG, topic,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> seen = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          seen.add(record.key() + "=" + record.value());
        }
      }
    }
    assertThat(seen).containsExactly("driver_1=trips=3");
  }
}
