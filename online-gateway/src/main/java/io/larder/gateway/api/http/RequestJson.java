package io.larder.gateway.api.http;

import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.Value;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The usual lookup request in the protobuf JSON mapping (project, feature references, rows of
 * scalar entity values), read with Jackson's streaming parser instead of the reflective JsonFormat
 * parser. Anything else (row timestamps, list or bytes values, nulls, unknown or repeated names,
 * malformed JSON) reads as null and is left to JsonFormat, whose answers and errors stay the rule.
 */
final class RequestJson {

  private static final JsonFactory JSON = new JsonFactory();

  private RequestJson() {}

  /** The request, or null when JsonFormat must decide. */
  static GetOnlineFeaturesRequestV2 parseCommon(byte[] body) {
    try (JsonParser json = JSON.createParser(ObjectReadContext.empty(), body)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      GetOnlineFeaturesRequestV2.Builder request = GetOnlineFeaturesRequestV2.newBuilder();
      boolean project = false;
      boolean features = false;
      boolean rows = false;
      for (String name = json.nextName(); name != null; name = json.nextName()) {
        switch (name) {
          case "project" -> {
            if (project || json.nextToken() != JsonToken.VALUE_STRING) {
              return null;
            }
            request.setProject(json.getString());
            project = true;
          }
          case "features" -> {
            if (features || !readFeatures(json, request)) {
              return null;
            }
            features = true;
          }
          case "entityRows", "entity_rows" -> {
            if (rows || !readRows(json, request)) {
              return null;
            }
            rows = true;
          }
          default -> {
            return null;
          }
        }
      }
      if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
        return null;
      }
      return request.build();
    } catch (JacksonException | NumberFormatException e) {
      return null;
    }
  }

  private static boolean readFeatures(JsonParser json, GetOnlineFeaturesRequestV2.Builder request) {
    if (json.nextToken() != JsonToken.START_ARRAY) {
      return false;
    }
    for (JsonToken token = json.nextToken();
        token != JsonToken.END_ARRAY;
        token = json.nextToken()) {
      if (token != JsonToken.START_OBJECT) {
        return false;
      }
      FeatureReferenceV2.Builder reference = FeatureReferenceV2.newBuilder();
      boolean table = false;
      boolean feature = false;
      for (String name = json.nextName(); name != null; name = json.nextName()) {
        if (json.nextToken() != JsonToken.VALUE_STRING) {
          return false;
        }
        switch (name) {
          case "featureTable", "feature_table" -> {
            if (table) {
              return false;
            }
            reference.setFeatureTable(json.getString());
            table = true;
          }
          case "name" -> {
            if (feature) {
              return false;
            }
            reference.setName(json.getString());
            feature = true;
          }
          default -> {
            return false;
          }
        }
      }
      request.addFeatures(reference);
    }
    return true;
  }

  private static boolean readRows(JsonParser json, GetOnlineFeaturesRequestV2.Builder request) {
    if (json.nextToken() != JsonToken.START_ARRAY) {
      return false;
    }
    for (JsonToken token = json.nextToken();
        token != JsonToken.END_ARRAY;
        token = json.nextToken()) {
      if (token != JsonToken.START_OBJECT) {
        return false;
      }
      EntityRow.Builder row = EntityRow.newBuilder();
      boolean fields = false;
      for (String name = json.nextName(); name != null; name = json.nextName()) {
        // Row timestamps (RFC 3339) are left to JsonFormat.
        if (!name.equals("fields") || fields || json.nextToken() != JsonToken.START_OBJECT) {
          return false;
        }
        fields = true;
        for (String entity = json.nextName(); entity != null; entity = json.nextName()) {
          Value value = readValue(json);
          if (value == null || row.containsFields(entity)) {
            return false;
          }
          row.putFields(entity, value);
        }
      }
      request.addEntityRows(row);
    }
    return true;
  }

  /** A scalar Value object ({@code {"int64Val":"1"}} and the like), or null. */
  private static Value readValue(JsonParser json) {
    if (json.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String name = json.nextName();
    if (name == null) {
      return Value.getDefaultInstance(); // {}
    }
    JsonToken token = json.nextToken();
    Value value =
        switch (name) {
          case "int64Val", "int64_val" -> {
            if (token == JsonToken.VALUE_STRING) {
              yield Value.newBuilder().setInt64Val(Long.parseLong(json.getString())).build();
            }
            yield token == JsonToken.VALUE_NUMBER_INT
                    && json.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                ? Value.newBuilder().setInt64Val(json.getLongValue()).build()
                : null;
          }
          case "int32Val", "int32_val" -> {
            if (token == JsonToken.VALUE_STRING) {
              yield Value.newBuilder().setInt32Val(Integer.parseInt(json.getString())).build();
            }
            yield token == JsonToken.VALUE_NUMBER_INT
                    && json.getNumberType() == JsonParser.NumberType.INT
                ? Value.newBuilder().setInt32Val(json.getIntValue()).build()
                : null;
          }
          case "stringVal", "string_val" ->
              token == JsonToken.VALUE_STRING
                  ? Value.newBuilder().setStringVal(json.getString()).build()
                  : null;
          case "boolVal", "bool_val" ->
              token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE
                  ? Value.newBuilder().setBoolVal(token == JsonToken.VALUE_TRUE).build()
                  : null;
          default -> null;
        };
    // A Value holds one case: a second name is JsonFormat's error to give.
    return value != null && json.nextToken() == JsonToken.END_OBJECT ? value : null;
  }
}
