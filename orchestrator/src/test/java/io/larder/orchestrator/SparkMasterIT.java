package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.orchestrator.support.OnlineStore;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.SparkStandaloneCluster;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same launcher pointed at a Spark standalone master ({@code larder.orchestrator.spark.master}
 * plus extra settings): the job's executor runs in the worker's own JVM and writes Redis.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SparkMasterIT extends OrchestratorTestBase {

  private static SparkStandaloneCluster cluster;

  @DynamicPropertySource
  static void sparkMaster(DynamicPropertyRegistry properties) throws Exception {
    cluster = SparkStandaloneCluster.start(Files.createTempDirectory("larder-spark-cluster"));
    properties.add("larder.orchestrator.spark.master", cluster::masterUrl);
    properties.add("larder.orchestrator.spark.conf.spark.cores.max", () -> "1");
    properties.add("larder.orchestrator.spark.conf.spark.executor.memory", () -> "512m");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void batchIngestionRunsOnTheStandaloneMaster() throws Exception {
    String project = "standalone_" + UUID.randomUUID().toString().substring(0, 6);
    Path csv = home.resolve("standalone.csv");
    Files.writeString(
        csv,
        """
        driver_id,trips,rating,ts
        1,10,1.0,2030-01-01T10:00:00Z
        2,20,2.0,2030-01-01T10:00:00Z
        """);
    registry.applyEntity(project, "driver_id", ValueType.Enum.INT64);
    registry.applyTable(project, Tables.drivers("standalone", csv).build());

    String id =
        jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(project)
                    .setTableName("standalone")
                    .setStartDate(BatchAndRetrievalJobsIT.time("2030-01-01T00:00:00Z"))
                    .setEndDate(BatchAndRetrievalJobsIT.time("2030-01-02T00:00:00Z"))
                    .build())
            .getId();
    JobDetails done = awaitEnd(id, Duration.ofMinutes(4));

    assertThat(done.getJob().getStatus())
        .as("log:%n%s", log(id))
        .isEqualTo(JobStatus.JOB_STATUS_DONE);
    assertThat(done.getSparkMaster()).isEqualTo(cluster.masterUrl());
    assertThat(done.getApplicationId()).startsWith("app-");
    try (var apps = Files.list(cluster.workDir())) {
      assertThat(apps.map(p -> p.getFileName().toString()))
          .as("applications the worker ran")
          .contains(done.getApplicationId());
    }
    try (OnlineStore redis = new OnlineStore(REDIS)) {
      assertThat(redis.driverFeature(project, 2, "standalone", "trips", ValueType.Enum.INT64))
          .isEqualTo(Value.newBuilder().setInt64Val(20).build());
    }
  }
}
