package io.larder.loadtest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import org.junit.jupiter.api.Test;

class RawResponsesTest {

  private static FieldValues row(long id) {
    return FieldValues.newBuilder()
        .putFields("entity_id", Value.newBuilder().setInt64Val(id).build())
        .putStatuses("entity_id", FieldStatus.PRESENT)
        .putFields("t:f", Value.newBuilder().setDoubleVal(id / 2.0).build())
        .putStatuses("t:f", FieldStatus.PRESENT)
        .build();
  }

  @Test
  void skimmingAnAnswerCountsItsRowsAndDecodesOnlyTheFirst() {
    GetOnlineFeaturesResponse response =
        GetOnlineFeaturesResponse.newBuilder()
            .addFieldValues(row(1))
            .addFieldValues(row(2))
            .addFieldValues(row(3))
            .build();

    RawResponses.Summary summary = RawResponses.summarizeResponse(response.toByteArray());

    assertThat(summary.rows()).isEqualTo(3);
    assertThat(summary.firstRow()).isEqualTo(row(1));
  }

  @Test
  void anEmptyAnswerHasNoRows() {
    RawResponses.Summary summary = RawResponses.summarizeResponse(new byte[0]);

    assertThat(summary.rows()).isZero();
    assertThat(summary.firstRow()).isNull();
  }

  @Test
  void aStreamedRowIsDecodedFromItsMessage() {
    byte[] message =
        StreamedFeatureRow.newBuilder().setRowIndex(7).setRow(row(9)).build().toByteArray();

    assertThat(RawResponses.streamedRow(message)).isEqualTo(row(9));
  }

  @Test
  void garbageIsAWrongAnswer() {
    assertThatThrownBy(() -> RawResponses.summarizeResponse(new byte[] {10, 100, 1}))
        .isInstanceOf(ResponseCheck.WrongAnswerException.class);
  }

  @Test
  void theRawMethodsKeepTheGatewaysRpcNames() {
    assertThat(RawResponses.GET_ONLINE_FEATURES.getFullMethodName())
        .isEqualTo("feast.serving.ServingService/GetOnlineFeaturesV2");
    assertThat(RawResponses.STREAM_ONLINE_FEATURES.getFullMethodName())
        .isEqualTo("larder.serving.StreamingServingService/StreamOnlineFeatures");
  }
}
