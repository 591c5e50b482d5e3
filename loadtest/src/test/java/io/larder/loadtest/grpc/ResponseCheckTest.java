package io.larder.loadtest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import org.junit.jupiter.api.Test;

class ResponseCheckTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 100, 2, 2);
  private final ResponseCheck check = new ResponseCheck(3, shape.featureRefs(4));

  @Test
  void countsPresentRequestedFeaturesOfTheSampledRow() {
    FieldValues row =
        FieldValues.newBuilder()
            .putStatuses("entity_id", FieldStatus.PRESENT)
            .putStatuses("table_0:feature_0", FieldStatus.PRESENT)
            .putStatuses("table_0:feature_1", FieldStatus.NOT_FOUND)
            .putStatuses("table_1:feature_0", FieldStatus.PRESENT)
            .putStatuses("table_1:feature_1", FieldStatus.OUTSIDE_MAX_AGE)
            .build();

    assertThat(check.check(3, row)).isEqualTo(new CallResult(3, 2, 4));
  }

  @Test
  void aWrongNumberOfRowsIsAWrongAnswer() {
    assertThatThrownBy(() -> check.check(2, FieldValues.getDefaultInstance()))
        .isInstanceOf(ResponseCheck.WrongAnswerException.class)
        .hasMessage("expected 3 rows, got 2");
    assertThat(GrpcLoadDriver.classify(new ResponseCheck.WrongAnswerException("x")))
        .isEqualTo("WRONG_ANSWER");
  }
}
