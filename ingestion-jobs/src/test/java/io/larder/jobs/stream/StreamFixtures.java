package io.larder.jobs.stream;

import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Specs, topics and messages shared by the stream-ingestion tests (the stack's broker). */
final class StreamFixtures {

  static final String BOOTSTRAP =
      "127.0.0.1:" + System.getenv().getOrDefault("LARDER_KAFKA_PORT", "9092");
  static final String REDIS =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");

  private StreamFixtures() {}

  /** Table "rides": entity driver (INT64, source column driver_id), feature trips, time ts. */
  static StreamIngestionSpec spec(String project, String topic, StreamFormat format, Path dir) {
    FeatureTableSpec table =
        FeatureTableSpec.newBuilder()
            .setName("rides")
            .addEntities("driver")
            .addFeatures(
                FeatureSpecV2.newBuilder().setName("trips").setValueType(ValueType.Enum.INT64))
            .setStreamSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.STREAM_KAFKA)
                    .putFieldMapping("driver_id", "driver")
                    .setEventTimestampColumn("ts")
                    .setKafkaOptions(
                        DataSource.KafkaOptions.newBuilder()
                            .setBootstrapServers(BOOTSTRAP)
                            .setTopic(topic)
                            .setMessageFormat(format)))
            .build();
    return StreamIngestionSpec.newBuilder()
        .setProject(project)
        .setTable(table)
        .addEntities(EntitySpecV2.newBuilder().setName("driver").setValueType(ValueType.Enum.INT64))
        .setRedis(RedisTarget.newBuilder().setUri(REDIS))
        .setCheckpointLocation(dir.resolve("checkpoint").toString())
        .setDeadLetterPath(dir.resolve("dead-letters").toString())
        .setOfflinePath(dir.resolve("offline").toString())
        .build();
  }

  static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  static void produce(String topic, byte[]... messages) throws Exception {
    produceTo(topic, null, messages);
  }

  /** Sends to one partition, or where the producer likes when {@code partition} is null. */
  static void produceTo(String topic, Integer partition, byte[]... messages) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (var producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] message : messages) {
        producer
            .send(new ProducerRecord<>(topic, partition, null, message))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  static byte[] json(long driver, long trips, Instant ts) {
    return "{\"driver_id\": %d, \"trips\": %d, \"ts\": \"%s\"}"
        .formatted(driver, trips, ts)
        .getBytes(StandardCharsets.UTF_8);
  }
}
