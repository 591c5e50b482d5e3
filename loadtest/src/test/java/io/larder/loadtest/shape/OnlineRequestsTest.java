package io.larder.loadtest.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.types.ValueProto.Value;
import org.junit.jupiter.api.Test;

class OnlineRequestsTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 1_000, 5, 10);

  @Test
  void aRequestHasTheShapesRowsAndFeatures() {
    OnlineRequests requests = new OnlineRequests(shape, 10, 50);

    GetOnlineFeaturesRequestV2 request = requests.next();

    assertThat(requests.shapeName()).isEqualTo("rows10_features50");
    assertThat(request.getProject()).isEqualTo("bench");
    assertThat(request.getFeaturesList()).isEqualTo(shape.featureRefs(50));
    assertThat(request.getEntityRowsList())
        .hasSize(10)
        .allSatisfy(
            row -> {
              assertThat(row.getFieldsMap()).containsOnlyKeys("entity_id");
              Value id = row.getFieldsMap().get("entity_id");
              assertThat(id.getValCase()).isEqualTo(Value.ValCase.INT64_VAL);
              assertThat(id.getInt64Val()).isBetween(0L, 999L);
              assertThat(row.hasTimestamp()).isFalse();
            });
    assertThat(
            request.getEntityRowsList().stream()
                .map(row -> row.getFieldsMap().get("entity_id").getInt64Val())
                .distinct())
        .hasSize(10);
  }

  @Test
  void theJsonBodyIsTheSameRequestInTheProtobufJsonMapping() throws Exception {
    OnlineRequests requests = new OnlineRequests(shape, 3, 12);
    GetOnlineFeaturesRequestV2 request = requests.forIds(new long[] {1, 2, 999});

    String json = OnlineRequests.toJson(request);
    GetOnlineFeaturesRequestV2.Builder parsed = GetOnlineFeaturesRequestV2.newBuilder();
    JsonFormat.parser().merge(json, parsed);

    assertThat(parsed.build()).isEqualTo(request);
    assertThat(json)
        .contains("\"entityRows\"")
        .contains("\"featureTable\":\"table_1\"")
        .doesNotContain("\n");
  }

  @Test
  void moreRowsThanEntitiesIsRefused() {
    BenchmarkShape tiny = new BenchmarkShape("bench", "entity_id", 5, 5, 10);

    assertThatThrownBy(() -> new OnlineRequests(tiny, 10, 50))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows must be between 1 and the number of entities (5)");
  }
}
