package io.larder.gateway;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Packed-layout tables against the stack's Redis, alone and mixed with hash-layout tables in one
 * request: the same rows stored in either layout answer the same values and statuses over all four
 * APIs.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
@DirtiesContext
@Timeout(120)
class PackedLayoutIT {

  private static final FakeRegistry registry = FakeRegistry.started();

  @DynamicPropertySource
  static void registryTarget(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);
  static final EntitySpecV2 CUSTOMER = entity("customer_id", ValueType.Enum.STRING);

  private static FeatureTableSpec stats(String name, OnlineLayout layout) {
    return table(name)
        .entities("driver_id")
        .feature("trips", ValueType.Enum.INT64)
        .feature("rating", ValueType.Enum.DOUBLE)
        .feature("name", ValueType.Enum.STRING)
        .maxAge(Duration.ofHours(1))
        .label(OnlineLayout.LABEL, layout.label())
        .build();
  }

  static final List<FeatureTableSpec> TABLES =
      List.of(
          stats("stats_hash", OnlineLayout.HASH),
          stats("stats_packed", OnlineLayout.PACKED),
          table("pair_packed")
              .entities("driver_id", "customer_id")
              .feature("rides", ValueType.Enum.INT64)
              .label(OnlineLayout.LABEL, "packed")
              .build(),
          table("customer_hash")
              .entities("customer_id")
              .feature("tier", ValueType.Enum.STRING)
              .build());

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  private GatewayClients clients;
  private OnlineStoreTestData redis;
  private String project;

  @BeforeEach
  void setUp() {
    project = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    clients = GatewayClients.connect(grpcServer.port(), httpPort);
    redis = OnlineStoreTestData.connect();
    registry.setTables(project, TABLES, List.of(DRIVER, CUSTOMER));
    clients.awaitProject(project, "stats_packed:trips");
  }

  @AfterEach
  void tearDown() {
    redis.close();
    clients.close();
  }

  private static Map<String, Value> driver(long id) {
    return Map.of("driver_id", int64(id));
  }

  private void writeBoth(long driver, Map<String, Value> features, Instant eventTime) {
    redis.writeRow(project, driver(driver), "stats_hash", features, eventTime);
    redis.writePackedRow(project, driver(driver), "stats_packed", features, eventTime);
  }

  @Test
  void theSameRowsInEitherLayoutAnswerTheSameOverAllFourApis() {
    Instant now = Instant.now();
    Map<String, Value> full = new LinkedHashMap<>();
    full.put("trips", int64(10));
    full.put("rating", float64(4.5));
    full.put("name", string("ann"));
    writeBoth(1, full, now.minusSeconds(60));
    Map<String, Value> partial = new LinkedHashMap<>();
    partial.put("trips", int64(20));
    partial.put("name", string("bob"));
    writeBoth(2, partial, now.minusSeconds(60));
    writeBoth(3, full, now.minus(Duration.ofHours(2)));
    // Driver 999: no row in either layout.

    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("stats_hash:trips", "stats_hash:rating", "stats_hash:name")
            .features("stats_packed:trips", "stats_packed:rating", "stats_packed:name")
            .row(driver(1))
            .row(driver(2))
            .row(driver(3))
            .row(driver(999))
            .build();

    Map<String, GetOnlineFeaturesResponse> answers = clients.allFour(request);
    GetOnlineFeaturesResponse grpc = answers.get("grpc");
    assertThat(answers).allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(grpc));
    for (FieldValues row : grpc.getFieldValuesList()) {
      for (String feature : List.of("trips", "rating", "name")) {
        assertThat(row.getStatusesMap().get("stats_packed:" + feature))
            .as("%s of %s", feature, row.getFieldsMap().get("driver_id"))
            .isEqualTo(row.getStatusesMap().get("stats_hash:" + feature));
        assertThat(row.getFieldsMap().get("stats_packed:" + feature))
            .isEqualTo(row.getFieldsMap().get("stats_hash:" + feature));
      }
    }
    assertThat(grpc.getFieldValuesList())
        .extracting(row -> row.getStatusesMap().get("stats_packed:rating"))
        .containsExactly(
            FieldStatus.PRESENT,
            FieldStatus.NOT_FOUND,
            FieldStatus.OUTSIDE_MAX_AGE,
            FieldStatus.NOT_FOUND);
    assertThat(grpc.getFieldValues(0).getFieldsMap())
        .containsEntry("stats_packed:trips", int64(10));
  }

  @Test
  void aMixedRequestOfManyRowsReadsEveryTableOfBothLayouts() {
    Instant now = Instant.now().minusSeconds(5);
    int rows = 1_500;
    Specs.RequestBuilder builder =
        Specs.request(project)
            .features("stats_packed:trips", "pair_packed:rides", "customer_hash:tier")
            .features("stats_hash:name");
    for (int i = 0; i < rows; i++) {
      Map<String, Value> entity = Map.of("driver_id", int64(i), "customer_id", string("c" + i));
      builder.row(entity);
      if (i % 3 == 0) {
        continue; // every third row has nothing stored
      }
      redis.writePackedRow(project, driver(i), "stats_packed", Map.of("trips", int64(i)), now);
      redis.writePackedRow(project, entity, "pair_packed", Map.of("rides", int64(2L * i)), now);
      redis.writeRow(
          project,
          Map.of("customer_id", string("c" + i)),
          "customer_hash",
          Map.of("tier", string("t" + i)),
          now);
      redis.writeRow(project, driver(i), "stats_hash", Map.of("name", string("n" + i)), now);
    }

    GetOnlineFeaturesRequestV2 request = builder.build();
    GetOnlineFeaturesResponse unary = clients.grpc(request);

    assertThat(unary.getFieldValuesCount()).isEqualTo(rows);
    for (int i = 0; i < rows; i++) {
      FieldValues row = unary.getFieldValues(i);
      if (i % 3 == 0) {
        assertThat(row.getStatusesMap())
            .containsEntry("stats_packed:trips", FieldStatus.NOT_FOUND)
            .containsEntry("pair_packed:rides", FieldStatus.NOT_FOUND)
            .containsEntry("customer_hash:tier", FieldStatus.NOT_FOUND)
            .containsEntry("stats_hash:name", FieldStatus.NOT_FOUND);
        continue;
      }
      assertThat(row.getFieldsMap())
          .as("row %d", i)
          .containsEntry("stats_packed:trips", int64(i))
          .containsEntry("pair_packed:rides", int64(2L * i))
          .containsEntry("customer_hash:tier", string("t" + i))
          .containsEntry("stats_hash:name", string("n" + i));
    }
    assertThat(clients.allFour(request))
        .allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(unary));
  }
}
