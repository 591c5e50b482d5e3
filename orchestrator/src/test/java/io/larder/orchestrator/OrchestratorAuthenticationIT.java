package io.larder.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.larder.orchestrator.support.OrchestratorTestBase;
import io.larder.proto.core.JobServiceGrpc.JobServiceBlockingStub;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.ListJobsRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.support.security.TestTokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

/**
 * With authentication on, no job is started or cancelled over gRPC or HTTP without a token, with an
 * expired one, with a role in another project, or (for ingestion and cancelling) with a reader's
 * token; each refusal is UNAUTHENTICATED/401 or PERMISSION_DENIED/403 before anything runs. Readers
 * list jobs.
 */
@TestPropertySource(
    properties = {
      "larder.security.enabled=true",
      "larder.security.secret=" + TestTokens.SECRET,
      "larder.security.issuer=" + TestTokens.ISSUER
    })
class OrchestratorAuthenticationIT extends OrchestratorTestBase {

  private static final String PROJECT = "auth_jobs";

  private static Map<String, String> refused() {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("no token", null);
    tokens.put("expired writer", TestTokens.expired("late", "writer:" + PROJECT));
    tokens.put("admin elsewhere", TestTokens.valid("other", "admin:other_project"));
    tokens.put("reader", TestTokens.valid("analyst", "reader:" + PROJECT));
    return tokens;
  }

  @Test
  void noJobStartsOrIsCancelledWithoutTheRole() {
    Map<String, Consumer<String>> writes = new LinkedHashMap<>();
    writes.put(
        "StartOfflineToOnlineIngestionJob",
        token ->
            jobs(token)
                .startOfflineToOnlineIngestionJob(
                    StartOfflineToOnlineIngestionJobRequest.newBuilder()
                        .setProject(PROJECT)
                        .setTableName("stats")
                        .build()));
    writes.put(
        "StartStreamToOnlineIngestionJob",
        token ->
            jobs(token)
                .startStreamToOnlineIngestionJob(
                    StartStreamToOnlineIngestionJobRequest.newBuilder()
                        .setProject(PROJECT)
                        .setTableName("stats")
                        .build()));
    writes.put(
        "MigrateOnlineLayout",
        token ->
            withToken(jobDetails(), token)
                .migrateOnlineLayout(
                    MigrateOnlineLayoutRequest.newBuilder()
                        .setProject(PROJECT)
                        .setTableName("stats")
                        .setLayout("packed")
                        .build()));
    List<String> accepted = new ArrayList<>();
    refused()
        .forEach(
            (who, token) -> {
              writes.forEach(
                  (rpc, write) -> {
                    Status status = Status.fromThrowable(catchThrowable(() -> write.accept(token)));
                    if (status.isOk()) {
                      accepted.add(rpc + " by " + who);
                    }
                    assertThat(status.getCode())
                        .as("%s by %s: %s", rpc, who, status)
                        .isEqualTo(expected(who));
                  });
              for (String uri :
                  List.of(
                      "/api/v1/jobs/batch-ingestion",
                      "/api/v1/jobs/stream-ingestion",
                      "/api/v1/jobs/layout-migration")) {
                var request = http.post().uri(uri);
                if (token != null) {
                  request.header("Authorization", "Bearer " + token);
                }
                int status =
                    request
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"project\":\"" + PROJECT + "\",\"tableName\":\"stats\"}")
                        .exchange()
                        .returnResult(String.class)
                        .getStatus()
                        .value();
                if (status < 400) {
                  accepted.add("POST " + uri + " by " + who);
                }
                assertThat(status)
                    .as("POST %s by %s", uri, who)
                    .isEqualTo(expected(who) == Status.Code.UNAUTHENTICATED ? 401 : 403);
              }
            });
    assertThat(accepted).isEmpty();
  }

  @Test
  void retrievalNeedsReaderInTheProjectAndCancellingAnUnknownJobIsRefusedFirstForStrangers() {
    String elsewhere = TestTokens.valid("other", "admin:other_project");
    Status retrieval =
        Status.fromThrowable(
            catchThrowable(
                () ->
                    jobs(elsewhere)
                        .getHistoricalFeatures(
                            GetHistoricalFeaturesRequest.newBuilder()
                                .setProject(PROJECT)
                                .addFeatureRefs("stats:trips")
                                .build())));
    assertThat(retrieval.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(retrieval.getDescription()).contains(PROJECT).contains("reader");

    Status noToken =
        Status.fromThrowable(
            catchThrowable(
                () -> jobs(null).cancelJob(CancelJobRequest.newBuilder().setJobId("x").build())));
    assertThat(noToken.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void readersListJobsAndHealthIsOpen() {
    String reader = TestTokens.valid("analyst", "reader:" + PROJECT);

    assertThat(jobs(reader).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .allSatisfy(job -> assertThat(job.getId()).isNotEmpty());
    http.get()
        .uri("/api/v1/jobs")
        .header("Authorization", "Bearer " + reader)
        .exchange()
        .expectStatus()
        .isOk();
    http.get().uri("/api/v1/jobs").exchange().expectStatus().isUnauthorized();
    http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
  }

  private static Status.Code expected(String who) {
    return who.equals("no token") || who.startsWith("expired")
        ? Status.Code.UNAUTHENTICATED
        : Status.Code.PERMISSION_DENIED;
  }

  private JobServiceBlockingStub jobs(String token) {
    return withToken(jobs(), token);
  }

  private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    if (token == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
