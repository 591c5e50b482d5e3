package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.orchestrator.support.Tables;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Every request path of the job service over gRPC and HTTP, with BlockHound (installed for every
 * test of this module) failing any blocking call on an event loop: a blocked path would answer
 * INTERNAL / 500 instead of its own answer.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OrchestratorBlockHoundIT extends OrchestratorTestBase {

  private static final Set<Status.Code> BROKEN = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN);

  @Test
  void blockHoundIsActive() {
    Mono.fromRunnable(
            () -> {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .subscribeOn(Schedulers.parallel())
        .as(StepVerifier::create)
        .expectError(BlockingOperationError.class)
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void everyRequestPathAnswersWithoutBlocking() throws Exception {
    String project = "bh_" + UUID.randomUUID().toString().substring(0, 6);
    Path file = home.resolve("bh.csv");
    Files.writeString(file, "driver_id,trips,rating,ts\n1,1,1.0,2030-01-01T00:00:00Z\n");
    registry.applyEntity(project, "driver_id", ValueType.Enum.INT64);
    registry.applyTable(project, Tables.drivers("bh", file).build());

    String id =
        jobs()
            .startOfflineToOnlineIngestionJob(
                StartOfflineToOnlineIngestionJobRequest.newBuilder()
                    .setProject(project)
                    .setTableName("bh")
                    .setStartDate(BatchAndRetrievalJobsIT.time("2030-01-01T00:00:00Z"))
                    .setEndDate(BatchAndRetrievalJobsIT.time("2030-01-02T00:00:00Z"))
                    .build())
            .getId();
    assertThat(jobs().getJob(GetJobRequest.newBuilder().setJobId(id).build()).getJob().getId())
        .isEqualTo(id);
    assertThat(
            jobs()
                .listJobs(ListJobsRequest.newBuilder().setIncludeTerminated(true).build())
                .getJobsCount())
        .isPositive();
    assertThat(
            jobDetails()
                .getJobDetails(GetJobDetailsRequest.newBuilder().setJobId(id).build())
                .getJob()
                .getId())
        .isEqualTo(id);
    assertThat(
            jobDetails()
                .listJobDetails(
                    ListJobDetailsRequest.newBuilder().setIncludeTerminated(true).build())
                .getJobsCount())
        .isPositive();
    refused(
        () ->
            jobs()
                .getHistoricalFeatures(
                    GetHistoricalFeaturesRequest.newBuilder()
                        .setProject(project)
                        .addFeatureRefs("bh:trips")
                        .build()));
    refused(
        () ->
            jobs()
                .startStreamToOnlineIngestionJob(
                    StartStreamToOnlineIngestionJobRequest.newBuilder()
                        .setProject(project)
                        .setTableName("bh")
                        .build()));
    refused(() -> jobs().cancelJob(CancelJobRequest.newBuilder().setJobId("nope").build()));
    awaitEnd(id, Duration.ofMinutes(3));

    for (String path :
        new String[] {
          "/api/v1/jobs?includeTerminated=true",
          "/api/v1/job-details?includeTerminated=true",
          "/api/v1/jobs/" + id,
          "/api/v1/jobs/" + id + "/details",
          "/api/v1/jobs/" + id + "/log"
        }) {
      http.get().uri(path).exchange().expectStatus().isOk();
    }
    http.get().uri("/api/v1/jobs/nope").exchange().expectStatus().isNotFound();
    http.post().uri("/api/v1/jobs/" + id + "/cancel").exchange().expectStatus().isEqualTo(409);
    http.post()
        .uri("/api/v1/jobs/stream-ingestion")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"project\": \"" + project + "\", \"tableName\": \"bh\"}")
        .exchange()
        .expectStatus()
        .isEqualTo(409);
    http.post()
        .uri("/api/v1/jobs/historical-retrieval")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"project\": \"" + project + "\", \"featureRefs\": [\"bh:nope\"]}")
        .exchange()
        .expectStatus()
        .isBadRequest();
  }

  private static void refused(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            error -> assertThat(error.getStatus().getCode()).isNotIn(BROKEN));
  }
}
