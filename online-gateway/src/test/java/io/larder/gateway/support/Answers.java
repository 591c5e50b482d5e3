package io.larder.gateway.support;

import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers made from response messages, for tests of the edges: a key with a ':' is a feature
 * ({@code table:feature}), any other an echoed entity field; every row has the first row's
 * features.
 */
public final class Answers {

  private Answers() {}

  public static OnlineAnswer of(GetOnlineFeaturesResponse response) {
    return of(0, response.getFieldValuesList());
  }

  public static OnlineAnswer of(int firstRow, List<FieldValues> rows) {
    List<String> references = new ArrayList<>();
    if (!rows.isEmpty()) {
      for (String key : rows.get(0).getStatusesMap().keySet()) {
        if (key.contains(":")) {
          references.add(key);
        }
      }
    }
    int slots = references.size();
    byte[] statuses = new byte[rows.size() * slots];
    byte[][] values = new byte[rows.size() * slots][];
    List<Map<String, Value>> echoed = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      FieldValues fields = rows.get(row);
      Map<String, Value> entity = new LinkedHashMap<>();
      fields
          .getFieldsMap()
          .forEach(
              (key, value) -> {
                if (!key.contains(":")) {
                  entity.put(key, value);
                }
              });
      echoed.add(entity);
      for (int slot = 0; slot < slots; slot++) {
        String reference = references.get(slot);
        statuses[row * slots + slot] = (byte) fields.getStatusesValueOrThrow(reference);
        Value value = fields.getFieldsOrDefault(reference, Value.getDefaultInstance());
        values[row * slots + slot] = value.getSerializedSize() == 0 ? null : value.toByteArray();
      }
    }
    return new OnlineAnswer(firstRow, echoed, references.toArray(String[]::new), statuses, values);
  }
}
