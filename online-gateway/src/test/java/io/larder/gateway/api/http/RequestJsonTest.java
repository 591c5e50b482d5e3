package io.larder.gateway.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.larder.gateway.support.RandomAnswers;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming request reader agrees with JsonFormat, and leaves it everything unusual. */
class RequestJsonTest {

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  @Test
  void readsWhatJsonFormatReadsOnRandomRequests() throws Exception {
    int common = 0;
    for (long seed = 0; seed < 3_000; seed++) {
      GetOnlineFeaturesRequestV2 request = randomRequest(seed);
      JsonFormat.Printer printer =
          seed % 2 == 0 ? JsonFormat.printer() : JsonFormat.printer().preservingProtoFieldNames();
      byte[] json = printer.print(request).getBytes(StandardCharsets.UTF_8);

      GetOnlineFeaturesRequestV2.Builder reference = GetOnlineFeaturesRequestV2.newBuilder();
      PARSER.merge(new String(json, StandardCharsets.UTF_8), reference);

      assertThat(ProtoJson.parseOnlineFeaturesRequest(json))
          .as("seed %d", seed)
          .isEqualTo(reference.build());
      if (RequestJson.parseCommon(json) != null) {
        common++;
      }
    }
    assertThat(common).as("requests read without JsonFormat").isGreaterThan(1_000);
  }

  @Test
  void leavesUnusualRequestsAndMistakesToJsonFormat() {
    String[] bodies = {
      "{\"project\":\"p\",\"unknown\":1}",
      "{\"project\":null}",
      "{\"project\":\"p\",\"project\":\"q\"}",
      "{\"entityRows\":[{\"fields\":{\"e\":{\"int64Val\":\"1\",\"stringVal\":\"x\"}}}]}",
      "{\"entityRows\":[{\"fields\":{\"e\":{\"int64Val\":\"x1\"}}}]}",
      "{\"entityRows\":[{\"fields\":{\"e\":{\"int32Val\":3000000000}}}]}",
      "{\"entityRows\":[{\"fields\":{\"e\":{\"int64Val\":\"1\"},\"e\":{\"int64Val\":\"2\"}}}]}",
      "{\"features\":[{\"featureTable\":\"t\",\"name\":5}]}",
      "{\"features\":[] } trailing",
      "[1]",
      "{\"project\":\"p\""
    };
    for (String body : bodies) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      assertThat(RequestJson.parseCommon(bytes)).as(body).isNull();
      Throwable ours = catchThrowable(() -> ProtoJson.parseOnlineFeaturesRequest(bytes));
      Throwable reference = catchThrowable(() -> ProtoJson.parseOnlineFeaturesRequest(body));
      assertThat(String.valueOf(ours)).as(body).isEqualTo(String.valueOf(reference));
    }
  }

  private static GetOnlineFeaturesRequestV2 randomRequest(long seed) {
    Random random = new Random(seed);
    RandomAnswers values = new RandomAnswers(seed);
    GetOnlineFeaturesRequestV2.Builder request = GetOnlineFeaturesRequestV2.newBuilder();
    if (random.nextBoolean()) {
      request.setProject(values.text());
    }
    for (int i = random.nextInt(6); i > 0; i--) {
      request.addFeatures(
          FeatureReferenceV2.newBuilder().setFeatureTable(values.text()).setName(values.text()));
    }
    for (int i = random.nextInt(5); i > 0; i--) {
      EntityRow.Builder row = EntityRow.newBuilder();
      for (int e = random.nextInt(3); e > 0; e--) {
        Value value =
            switch (random.nextInt(6)) {
              case 0 -> Value.newBuilder().setInt64Val(random.nextLong()).build();
              case 1 -> Value.newBuilder().setInt32Val(random.nextInt()).build();
              case 2 -> Value.newBuilder().setStringVal(values.text()).build();
              case 3 -> Value.newBuilder().setBoolVal(random.nextBoolean()).build();
              case 4 -> Value.getDefaultInstance();
              default -> values.value(); // lists, bytes, doubles: JsonFormat's to read
            };
        row.putFields(values.text(), value);
      }
      if (random.nextInt(8) == 0) {
        row.setTimestamp(Timestamp.newBuilder().setSeconds(random.nextInt(2_000_000_000)));
      }
      request.addEntityRows(row);
    }
    return request.build();
  }
}
