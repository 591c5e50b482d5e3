package io.larder.sdk.cli;

import io.grpc.Status;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "online",
    description = "Prints the latest feature values of entity rows, from the online gateway.")
final class OnlineCommand extends LarderCommand {

  @Option(
      names = "--features",
      required = true,
      split = ",",
      description = "Feature references table:feature, comma-separated.")
  List<String> features;

  @Option(
      names = "--entity",
      required = true,
      description =
          "One entity row as name=value[,name=value] (repeat for more rows); values are typed by the registry's entity.")
  List<String> entities;

  @Override
  int run() {
    try (LarderClient client = root().client()) {
      Map<String, ValueType.Enum> types = new HashMap<>();
      List<EntityRow> rows = new ArrayList<>();
      for (String entity : entities) {
        EntityRow.Builder row = EntityRow.newBuilder();
        for (String pair : entity.split(",")) {
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException(
                "--entity '%s': expected name=value".formatted(entity));
          }
          String name = pair.substring(0, eq).strip();
          ValueType.Enum type = types.computeIfAbsent(name, n -> entityType(client, n));
          row.putFields(name, value(name, type, pair.substring(eq + 1).strip()));
        }
        rows.add(row.build());
      }
      GetOnlineFeaturesResponse response = client.getOnlineFeatures(root().project, features, rows);
      Output output = output();
      output.one(response, () -> print(output, response));
    }
    return 0;
  }

  private void print(Output output, GetOnlineFeaturesResponse response) {
    List<String> columns = new ArrayList<>();
    if (response.getFieldValuesCount() > 0) {
      columns.addAll(new LinkedHashMap<>(response.getFieldValues(0).getFieldsMap()).keySet());
    }
    List<List<String>> cells = new ArrayList<>();
    for (FieldValues row : response.getFieldValuesList()) {
      List<String> line = new ArrayList<>();
      for (String column : columns) {
        Value value = row.getFieldsOrDefault(column, Value.getDefaultInstance());
        String status =
            row.getStatusesOrDefault(column, null) == null
                ? ""
                : row.getStatusesOrThrow(column).name();
        line.add(
            status.equals("PRESENT") || status.isEmpty()
                ? Values.text(value)
                : "(" + status.toLowerCase(java.util.Locale.ROOT) + ")");
      }
      cells.add(line);
    }
    output.table(columns, cells);
  }

  private ValueType.Enum entityType(LarderClient client, String name) {
    try {
      EntitySpecV2 spec = client.getEntity(root().project, name).getSpec();
      return spec.getValueType();
    } catch (LarderException e) {
      if (e.code() == Status.Code.NOT_FOUND) {
        throw new IllegalArgumentException(
            "--entity: project '%s' has no entity '%s'".formatted(root().project, name));
      }
      throw e;
    }
  }

  static Value value(String name, ValueType.Enum type, String text) {
    try {
      return switch (type) {
        case INT64 -> Value.newBuilder().setInt64Val(Long.parseLong(text)).build();
        case INT32 -> Value.newBuilder().setInt32Val(Integer.parseInt(text)).build();
        case DOUBLE -> Value.newBuilder().setDoubleVal(Double.parseDouble(text)).build();
        case FLOAT -> Value.newBuilder().setFloatVal(Float.parseFloat(text)).build();
        case BOOL -> Value.newBuilder().setBoolVal(Boolean.parseBoolean(text)).build();
        case STRING -> Value.newBuilder().setStringVal(text).build();
        default ->
            throw new IllegalArgumentException(
                "--entity %s: entities of type %s cannot be given on the command line"
                    .formatted(name, type));
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--entity %s=%s: not a %s".formatted(name, text, type));
    }
  }
}
