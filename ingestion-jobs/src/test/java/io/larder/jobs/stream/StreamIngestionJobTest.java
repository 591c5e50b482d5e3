package io.larder.jobs.stream;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@link StreamIngestionJob#validate} refuses before any Spark or Kafka is touched. */
class StreamIngestionJobTest {

  private static final StreamIngestionSpec VALID =
      StreamFixtures.spec("p", "rides", StreamFormat.getDefaultInstance(), Path.of("/tmp/job"));

  @Test
  void aCompleteSpecIsAccepted() {
    assertThatCode(() -> StreamIngestionJob.validate(VALID)).doesNotThrowAnyException();
  }

  @Test
  void startingOffsetsMayBeEarliestLatestOrPerPartitionJsonForTheTopic() {
    for (String offsets :
        new String[] {
          "",
          "earliest",
          "latest",
          "{\"rides\":{\"0\":42,\"1\":-2,\"2\":-1}}",
          " {\"rides\": {\"0\": 0}}"
        }) {
      assertThatCode(() -> StreamIngestionJob.validate(withOffsets(offsets)))
          .as(offsets)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void anyOtherStartingOffsetsAreRefusedNamingTheField() {
    for (String offsets :
        new String[] {
          "yesterday",
          "EARLIEST",
          "{not json",
          "[]",
          "{\"other\":{\"0\":1}}",
          "{\"rides\":{\"0\":1},\"other\":{\"0\":1}}",
          "{\"rides\":{}}",
          "{\"rides\":42}",
          "{\"rides\":{\"zero\":1}}",
          "{\"rides\":{\"0\":1.5}}",
          "{\"rides\":{\"0\":\"1\"}}",
          "{\"rides\":{\"0\":-3}}"
        }) {
      assertThatThrownBy(() -> StreamIngestionJob.validate(withOffsets(offsets)))
          .as(offsets)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("starting_offsets");
    }
  }

  @Test
  void eachMissingPieceIsNamed() {
    assertThatThrownBy(
            () ->
                StreamIngestionJob.validate(
                    VALID.toBuilder().setTable(VALID.getTable().toBuilder().setName("")).build()))
        .hasMessageContaining("table.name");
    assertThatThrownBy(() -> StreamIngestionJob.validate(withStream(DataSource.newBuilder())))
        .hasMessageContaining("stream_source.kafka_options");
    assertThatThrownBy(
            () ->
                StreamIngestionJob.validate(
                    withStream(
                        VALID.getTable().getStreamSource().toBuilder()
                            .clearEventTimestampColumn())))
        .hasMessageContaining("stream_source.event_timestamp_column");
    assertThatThrownBy(
            () ->
                StreamIngestionJob.validate(
                    VALID.toBuilder().setRedis(RedisTarget.getDefaultInstance()).build()))
        .hasMessageContaining("redis.uri");
    assertThatThrownBy(
            () -> StreamIngestionJob.validate(VALID.toBuilder().clearCheckpointLocation().build()))
        .hasMessageContaining("checkpoint_location");
    assertThatThrownBy(
            () -> StreamIngestionJob.validate(VALID.toBuilder().clearDeadLetterPath().build()))
        .hasMessageContaining("dead_letter_path");
  }

  @Test
  void bootstrapServersKafkaCannotParseAreRefusedRatherThanWaitedOn() {
    DataSource.Builder stream = VALID.getTable().getStreamSource().toBuilder();
    stream.getKafkaOptionsBuilder().setBootstrapServers("127.0.0.1:9092,kafka-without-port");
    assertThatThrownBy(() -> StreamIngestionJob.validate(withStream(stream)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stream_source.kafka_options.bootstrap_servers")
        .hasMessageContaining("kafka-without-port");

    stream.getKafkaOptionsBuilder().setBootstrapServers("kafka-1:9092, kafka-2:9092,[::1]:9092");
    assertThatCode(() -> StreamIngestionJob.validate(withStream(stream)))
        .doesNotThrowAnyException();
  }

  private static StreamIngestionSpec withOffsets(String offsets) {
    return VALID.toBuilder().setStartingOffsets(offsets).build();
  }

  private static StreamIngestionSpec withStream(DataSource.Builder stream) {
    FeatureTableSpec table = VALID.getTable().toBuilder().setStreamSource(stream).build();
    return VALID.toBuilder().setTable(table).build();
  }
}
