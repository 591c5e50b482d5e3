package io.larder.loadtest.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.loadtest.report.LoadReport;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.larder.StreamingServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The driver against a fake gateway on loopback: what it sends, counts and reports. */
class GrpcLoadDriverTest {

  @TempDir Path dir;

  private final AtomicBoolean unavailable = new AtomicBoolean();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile GetOnlineFeaturesRequestV2 lastRequest;
  private Server server;

  @BeforeEach
  void startFakeGateway() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new ServingServiceGrpc.ServingServiceImplBase() {
                  @Override
                  public void getOnlineFeaturesV2(
                      GetOnlineFeaturesRequestV2 request,
                      StreamObserver<GetOnlineFeaturesResponse> response) {
                    requests.incrementAndGet();
                    lastRequest = request;
                    if (unavailable.get()) {
                      response.onError(Status.UNAVAILABLE.asRuntimeException());
                      return;
                    }
                    GetOnlineFeaturesResponse.Builder answer =
                        GetOnlineFeaturesResponse.newBuilder();
                    for (int i = 0; i < request.getEntityRowsCount(); i++) {
                      answer.addFieldValues(allPresent(request));
                    }
                    response.onNext(answer.build());
                    response.onCompleted();
                  }
                })
            .addService(
                new StreamingServingServiceGrpc.StreamingServingServiceImplBase() {
                  @Override
                  public void streamOnlineFeatures(
                      GetOnlineFeaturesRequestV2 request,
                      StreamObserver<StreamedFeatureRow> response) {
                    for (int i = request.getEntityRowsCount() - 1; i >= 0; i--) {
                      response.onNext(
                          StreamedFeatureRow.newBuilder()
                              .setRowIndex(i)
                              .setRow(allPresent(request))
                              .build());
                    }
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void theOpenModelReportsEachShapeAndSendsTheShapesRequests() throws Exception {
    List<Map<String, String>> results =
        run("--rows", "1,10", "--rate", "200", "--features", "20", "--project", "bench");

    assertThat(results).hasSize(2);
    assertThat(results.get(0))
        .containsEntry("target", "gateway")
        .containsEntry("api", "grpc")
        .containsEntry("mode", "open")
        .containsEntry("shape", "rows1_features20")
        .containsEntry("errors", "0")
        .containsEntry("present", "1.000");
    assertThat(results.get(1)).containsEntry("shape", "rows10_features20");
    assertThat(Long.parseLong(results.get(1).get("ok"))).isEqualTo(60);
    assertThat(lastRequest.getProject()).isEqualTo("bench");
    assertThat(lastRequest.getEntityRowsCount()).isEqualTo(10);
    assertThat(lastRequest.getFeaturesCount()).isEqualTo(20);
  }

  @Test
  void theClosedModelDrivesTheStreamingRpc() throws Exception {
    List<Map<String, String>> results =
        run("--api", "grpc_stream", "--mode", "closed", "--concurrency", "4", "--rows", "10");

    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r).containsEntry("api", "grpc_stream").containsEntry("mode", "closed");
              assertThat(r).containsEntry("errors", "0").containsEntry("present", "1.000");
              assertThat(Long.parseLong(r.get("ok"))).isPositive();
            });
  }

  @Test
  void failedCallsAreCountedByStatus() throws Exception {
    unavailable.set(true);

    List<Map<String, String>> results = run("--rows", "1", "--rate", "100");

    assertThat(results.get(0))
        .containsEntry("ok", "0")
        .containsEntry("errors", "30")
        .containsEntry("error_detail", "UNAVAILABLE:30");
  }

  @Test
  void awaitingReadinessGivesUpOnAGatewayThatNeverAnswers() {
    unavailable.set(true);

    int exit =
        new CommandLine(new GrpcLoadDriver())
            .execute("--target", target(), "--entities", "100", "--await-ready", "1s");

    assertThat(exit).isEqualTo(2);
    assertThat(requests.get()).isGreaterThan(0);
  }

  private List<Map<String, String>> run(String... args) throws Exception {
    Path results = dir.resolve("results-" + System.nanoTime() + ".txt");
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "--target", target(),
                "--entities", "1000",
                "--tables", "5",
                "--features-per-table", "10",
                "--warmup", "0",
                "--burst", "0",
                "--duration", "300ms",
                "--await-ready", "0",
                "--results", results.toString()));
    all.addAll(List.of(args));
    int exit = new CommandLine(new GrpcLoadDriver()).execute(all.toArray(String[]::new));
    assertThat(exit).isZero();
    return Files.readAllLines(results).stream().map(LoadReport::parseResultLine).toList();
  }

  private String target() {
    return "127.0.0.1:" + server.getPort();
  }

  private static FieldValues allPresent(GetOnlineFeaturesRequestV2 request) {
    FieldValues.Builder row = FieldValues.newBuilder();
    for (FeatureReferenceV2 feature : request.getFeaturesList()) {
      row.putStatuses(feature.getFeatureTable() + ":" + feature.getName(), FieldStatus.PRESENT);
    }
    return row.build();
  }
}
