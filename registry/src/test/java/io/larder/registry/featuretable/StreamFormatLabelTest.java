package io.larder.registry.featuretable;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import org.junit.jupiter.api.Test;

class StreamFormatLabelTest {

  private static final StreamFormat AVRO =
      StreamFormat.newBuilder()
          .setAvroFormat(StreamFormat.AvroFormat.newBuilder().setSchemaJson("{}"))
          .build();

  private static FeatureTableSpec withKafka(String label, StreamFormat format) {
    DataSource.KafkaOptions.Builder kafka =
        DataSource.KafkaOptions.newBuilder().setBootstrapServers("127.0.0.1:9092").setTopic("t");
    if (format != null) {
      kafka.setMessageFormat(format);
    }
    FeatureTableSpec.Builder spec =
        FeatureTableSpec.newBuilder()
            .setName("driver_stats")
            .setStreamSource(
                DataSource.newBuilder().setType(SourceType.STREAM_KAFKA).setKafkaOptions(kafka));
    if (label != null) {
      spec.putLabels(StreamFormatLabel.KEY, label);
    }
    return spec.build();
  }

  @Test
  void jsonKafkaSourceWithoutFormatGetsTheProtoFormatPlaceholder() {
    FeatureTableSpec normalized = StreamFormatLabel.normalize(withKafka("json", null));

    assertThat(normalized.getStreamSource().getKafkaOptions().getMessageFormat())
        .isEqualTo(
            StreamFormat.newBuilder()
                .setProtoFormat(StreamFormat.ProtoFormat.newBuilder().setClassPath("json"))
                .build());
    assertThat(normalized.getLabelsMap()).containsEntry("larder.io/stream-format", "json");
    assertThat(normalized).isEqualTo(withKafka("json", StreamFormatLabel.JSON_PLACEHOLDER));
  }

  @Test
  void normalizingIsIdempotentSoTheHashOfAReAppliedSpecIsTheSame() {
    FeatureTableSpec once = StreamFormatLabel.normalize(withKafka("json", null));

    assertThat(StreamFormatLabel.normalize(once)).isEqualTo(once);
    assertThat(SpecHash.of(StreamFormatLabel.normalize(withKafka("json", null))))
        .isEqualTo(SpecHash.of(once));
  }

  @Test
  void anEmptyMessageFormatCountsAsOmitted() {
    assertThat(StreamFormatLabel.normalize(withKafka("json", StreamFormat.getDefaultInstance())))
        .isEqualTo(StreamFormatLabel.normalize(withKafka("json", null)));
  }

  @Test
  void jsonWithAnExplicitFormatKeepsWhatTheUserGave() {
    FeatureTableSpec explicit = withKafka("json", AVRO);

    assertThat(StreamFormatLabel.normalize(explicit)).isSameAs(explicit);
  }

  @Test
  void specsWithoutTheJsonLabelAreLeftAlone() {
    for (FeatureTableSpec spec :
        new FeatureTableSpec[] {
          withKafka(null, AVRO), withKafka("avro", AVRO), FeatureTableSpec.getDefaultInstance()
        }) {
      assertThat(StreamFormatLabel.normalize(spec)).isSameAs(spec);
    }
  }

  @Test
  void jsonKinesisSourceWithoutRecordFormatGetsThePlaceholderToo() {
    FeatureTableSpec spec =
        FeatureTableSpec.newBuilder()
            .putLabels(StreamFormatLabel.KEY, "json")
            .setStreamSource(
                DataSource.newBuilder()
                    .setType(SourceType.STREAM_KINESIS)
                    .setKinesisOptions(
                        DataSource.KinesisOptions.newBuilder()
                            .setRegion("eu-west-1")
                            .setStreamName("s")))
            .build();

    assertThat(
            StreamFormatLabel.normalize(spec)
                .getStreamSource()
                .getKinesisOptions()
                .getRecordFormat())
        .isEqualTo(StreamFormatLabel.JSON_PLACEHOLDER);
  }
}
