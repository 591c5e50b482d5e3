package io.larder.loadtest.floor;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import org.junit.jupiter.api.Test;

class CannedServingServerTest {

  @Test
  void answersEveryRowWithItsEntityEchoedAndEveryFeaturePresent() {
    Value id = Value.newBuilder().setInt64Val(7).build();
    GetOnlineFeaturesRequestV2 request =
        GetOnlineFeaturesRequestV2.newBuilder()
            .addFeatures(FeatureReferenceV2.newBuilder().setFeatureTable("t0").setName("f0"))
            .addFeatures(FeatureReferenceV2.newBuilder().setFeatureTable("t1").setName("f1"))
            .addEntityRows(EntityRow.newBuilder().putFields("entity_id", id))
            .addEntityRows(EntityRow.newBuilder().putFields("entity_id", id))
            .build();

    GetOnlineFeaturesResponse response = CannedServingServer.answer(request);

    assertThat(response.getFieldValuesList())
        .hasSize(2)
        .allSatisfy(
            row -> {
              assertThat(row.getFieldsMap()).containsKeys("entity_id", "t0:f0", "t1:f1");
              assertThat(row.getStatusesMap().values()).containsOnly(FieldStatus.PRESENT);
            });
  }
}
