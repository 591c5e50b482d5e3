package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.getEntity;
import static io.larder.registry.support.RegistryFixtures.getTable;
import static io.larder.registry.support.RegistryFixtures.kafkaSource;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** What the registry stores survives a restart of the application, byte for byte. */
class RegistryRestartIT {

  @Test
  void entitiesAndTablesReadBackIdenticalAfterARestart() {
    String project = uniqueProject();
    FeatureTableSpec spec =
        table(
                "driver_stats",
                "driver",
                feature("trips", ValueType.Enum.INT64),
                feature("rating", ValueType.Enum.DOUBLE))
            .toBuilder()
            .putLabels("team", "rides")
            .setStreamSource(kafkaSource("driver_stats"))
            .build();

    Entity entityBefore;
    FeatureTable tableBefore;
    try (ConfigurableApplicationContext first = start();
        GrpcClients clients = connect(first)) {
      Entity applied = clients.apply(project, entity("driver", ValueType.Enum.STRING));
      clients.apply(project, spec);
      FeatureTable updated = clients.apply(project, spec.toBuilder().putLabels("v", "2").build());
      assertThat(updated.getMeta().getRevision()).isEqualTo(2);

      entityBefore = clients.core().getEntity(getEntity(project, "driver")).getEntity();
      tableBefore = clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable();
      assertThat(entityBefore.getSpec()).isEqualTo(applied.getSpec());
      assertThat(tableBefore.getSpec()).isEqualTo(updated.getSpec());
      assertThat(tableBefore.getMeta().getRevision()).isEqualTo(2);
      assertThat(tableBefore.getMeta().getHash()).isEqualTo(updated.getMeta().getHash());
    }

    try (ConfigurableApplicationContext second = start();
        GrpcClients clients = connect(second)) {
      Entity entityAfter = clients.core().getEntity(getEntity(project, "driver")).getEntity();
      FeatureTable tableAfter =
          clients.core().getFeatureTable(getTable(project, "driver_stats")).getTable();

      assertThat(entityAfter).isEqualTo(entityBefore);
      assertThat(tableAfter.getSpec()).isEqualTo(tableBefore.getSpec());
      assertThat(tableAfter.getMeta().getRevision()).isEqualTo(2);
      assertThat(tableAfter.getMeta().getHash()).isEqualTo(tableBefore.getMeta().getHash());
      assertThat(tableAfter).isEqualTo(tableBefore);

      // The revision counter also survives: the next real change is revision 3.
      FeatureTable next =
          clients.apply(project, tableBefore.getSpec().toBuilder().putLabels("v", "3").build());
      assertThat(next.getMeta().getRevision()).isEqualTo(3);
    }
  }

  private static ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(RegistryApplication.class)
        .run("--larder.grpc.port=0", "--larder.grpc.host=127.0.0.1", "--server.port=0");
  }

  private static GrpcClients connect(ConfigurableApplicationContext context) {
    return GrpcClients.connect(context.getBean(GrpcServerLifecycle.class).port());
  }
}
