package io.larder.loadtest.grpc;

import io.larder.loadtest.driver.CallResult;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import java.util.List;
import java.util.Map;

/**
 * Checks an answer enough to trust the timing: the row count must match the request, and on one
 * sampled row the requested features' statuses are counted (PRESENT or not). Checking every value
 * of every row would cost the load generator CPU it shares with the gateway.
 */
final class ResponseCheck {

  /** The gateway answered, but not what was asked. */
  static final class WrongAnswerException extends RuntimeException {
    WrongAnswerException(String message) {
      super(message, null, false, false);
    }
  }

  private final int rows;
  private final String[] featureKeys;

  ResponseCheck(int rows, List<FeatureReferenceV2> features) {
    this.rows = rows;
    this.featureKeys =
        features.stream().map(f -> f.getFeatureTable() + ":" + f.getName()).toArray(String[]::new);
  }

  CallResult check(int rowsAnswered, FieldValues sample) {
    if (rowsAnswered != rows) {
      throw new WrongAnswerException("expected " + rows + " rows, got " + rowsAnswered);
    }
    if (sample == null) {
      return new CallResult(rowsAnswered, 0, 0);
    }
    Map<String, FieldStatus> statuses = sample.getStatusesMap();
    long present = 0;
    for (String key : featureKeys) {
      if (statuses.get(key) == FieldStatus.PRESENT) {
        present++;
      }
    }
    return new CallResult(rowsAnswered, present, featureKeys.length);
  }
}
