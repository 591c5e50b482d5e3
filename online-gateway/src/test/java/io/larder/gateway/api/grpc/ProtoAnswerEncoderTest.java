package io.larder.gateway.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Drainable;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.support.RandomAnswers;
import io.larder.gateway.support.Specs;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The direct gRPC encoder writes exactly the bytes the generated messages write. */
class ProtoAnswerEncoderTest {

  private static final int SEEDS = 3_000;

  @Test
  void responsesAreByteIdenticalToTheGenericEncoderOnRandomAnswers() throws IOException {
    for (long seed = 0; seed < SEEDS; seed++) {
      OnlineAnswer answer = new RandomAnswers(seed).next();
      byte[] expected = answer.toResponse().toByteArray();
      EncodedMessage encoded = new ProtoAnswerEncoder(answer).response(answer);

      assertThat(encoded.serializedSize()).as("size, seed %d", seed).isEqualTo(expected.length);
      assertThat(encoded.toByteArray()).as("seed %d", seed).isEqualTo(expected);
      assertThat(drained(encoded)).as("drained, seed %d", seed).isEqualTo(expected);
      assertThat(read(encoded)).as("read, seed %d", seed).isEqualTo(expected);
    }
  }

  @Test
  void streamedRowsAreByteIdenticalToTheGenericEncoderOnRandomAnswers() {
    for (long seed = 0; seed < SEEDS; seed++) {
      OnlineAnswer answer = new RandomAnswers(seed).next();
      ProtoAnswerEncoder encoder = new ProtoAnswerEncoder(answer);
      for (int row = 0; row < answer.rowCount(); row++) {
        byte[] expected =
            StreamedFeatureRow.newBuilder()
                .setRowIndex(answer.requestRow(row))
                .setRow(answer.row(row))
                .build()
                .toByteArray();
        assertThat(encoder.streamedRow(answer, row).toByteArray())
            .as("seed %d row %d", seed, row)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void anEchoedFieldNamedLikeAFeatureIsAnsweredAsTheGenericEncoderDoes() {
    Value echoed = Specs.int64(7);
    OnlineAnswer answer =
        new OnlineAnswer(
            0,
            List.of(Map.of("t:f", echoed)),
            new String[] {"t:f", "t:g"},
            new byte[] {(byte) FieldStatus.PRESENT_VALUE, (byte) FieldStatus.NOT_FOUND_VALUE},
            new byte[][] {Specs.int64(8).toByteArray(), null});

    assertThat(answer.echoCollides()).isTrue();
    assertThat(new ProtoAnswerEncoder(answer).response(answer).toByteArray())
        .isEqualTo(answer.toResponse().toByteArray());
    assertThat(new ProtoAnswerEncoder(answer).streamedRow(answer, 0).toByteArray())
        .isEqualTo(StreamedFeatureRow.newBuilder().setRow(answer.row(0)).build().toByteArray());
  }

  @Test
  void aLargeAnswerDrainedInPiecesIsByteIdenticalToo() throws IOException {
    int rows = 3_000;
    String[] references = {"t:a", "t:b", "t:c", "t:d"};
    List<Map<String, Value>> echoed = new ArrayList<>();
    byte[] statuses = new byte[rows * references.length];
    byte[][] values = new byte[rows * references.length][];
    for (int row = 0; row < rows; row++) {
      echoed.add(Map.of("id", Specs.int64(row)));
      for (int slot = 0; slot < references.length; slot++) {
        int cell = row * references.length + slot;
        statuses[cell] = (byte) FieldStatus.PRESENT_VALUE;
        values[cell] = Specs.int64((long) row * slot).toByteArray();
      }
    }
    OnlineAnswer answer = new OnlineAnswer(0, echoed, references, statuses, values);
    byte[] expected = answer.toResponse().toByteArray();
    EncodedMessage encoded = new ProtoAnswerEncoder(answer).response(answer);

    // Past the size encoded into one array: written through a buffered stream instead.
    assertThat(expected.length).isGreaterThan(256 * 1024);
    assertThat(drained(encoded)).isEqualTo(expected);
  }

  private static byte[] drained(EncodedMessage message) throws IOException {
    InputStream stream = EncodedMessage.MARSHALLER.stream(message);
    assertThat(stream.available()).isEqualTo(message.serializedSize());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((Drainable) stream).drainTo(out);
    assertThat(stream.available()).isZero();
    return out.toByteArray();
  }

  private static byte[] read(EncodedMessage message) throws IOException {
    try (InputStream stream = EncodedMessage.MARSHALLER.stream(message)) {
      return stream.readAllBytes();
    }
  }
}
