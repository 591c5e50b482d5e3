package io.larder.loadtest.gatling;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;

/**
 * Checks of HTTP answers, as one verdict string ("ok" or what is wrong) so a failed Gatling check
 * says why. Parsed with the protobuf JSON mapping, which accepts both lowerCamel and proto field
 * names.
 */
final class HttpBodies {

  static final String OK = "ok";

  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

  private HttpBodies() {}

  /** A GetOnlineFeaturesResponse with {@code rows} rows, the first with a PRESENT feature. */
  static String checkJson(String body, int rows) {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    try {
      JSON.merge(body, response);
    } catch (InvalidProtocolBufferException e) {
      return "not a GetOnlineFeaturesResponse: " + e.getMessage();
    }
    if (response.getFieldValuesCount() != rows) {
      return "expected " + rows + " rows, got " + response.getFieldValuesCount();
    }
    return hasPresent(response.getFieldValues(0)) ? OK : "no PRESENT value in row 0";
  }

  /** NDJSON: {@code rows} StreamedFeatureRow lines with distinct indices, one row PRESENT. */
  static String checkNdjson(String body, int rows) {
    String[] lines = body.lines().filter(line -> !line.isBlank()).toArray(String[]::new);
    if (lines.length != rows) {
      return "expected " + rows + " lines, got " + lines.length;
    }
    boolean[] seen = new boolean[rows];
    boolean present = false;
    for (String line : lines) {
      StreamedFeatureRow.Builder row = StreamedFeatureRow.newBuilder();
      try {
        JSON.merge(line, row);
      } catch (InvalidProtocolBufferException e) {
        return "not a StreamedFeatureRow line: " + e.getMessage();
      }
      int index = row.getRowIndex();
      if (index < 0 || index >= rows || seen[index]) {
        return "bad or repeated row_index " + index;
      }
      seen[index] = true;
      present |= hasPresent(row.getRow());
    }
    return present ? OK : "no PRESENT value in any row";
  }

  private static boolean hasPresent(FieldValues row) {
    // The entity field is echoed as PRESENT too; a feature must be PRESENT as well.
    return row.getStatusesMap().entrySet().stream()
        .anyMatch(e -> e.getKey().contains(":") && e.getValue() == FieldStatus.PRESENT);
  }
}
