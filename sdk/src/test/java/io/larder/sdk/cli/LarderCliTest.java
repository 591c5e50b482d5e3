package io.larder.sdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionResponse;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.sdk.LarderClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LarderCliTest {

  private final String name = InProcessServerBuilder.generateName();
  private Server server;

  @BeforeEach
  void startFakeServices() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new CoreServiceGrpc.CoreServiceImplBase() {
                  @Override
                  public void getFeastCoreVersion(
                      GetFeastCoreVersionRequest request,
                      StreamObserver<GetFeastCoreVersionResponse> response) {
                    response.onNext(
                        GetFeastCoreVersionResponse.newBuilder().setVersion("9.9.9").build());
                    response.onCompleted();
                  }
                })
            .addService(
                new ServingServiceGrpc.ServingServiceImplBase() {
                  @Override
                  public void getFeastServingInfo(
                      GetFeastServingInfoRequest request,
                      StreamObserver<GetFeastServingInfoResponse> response) {
                    response.onNext(
                        GetFeastServingInfoResponse.newBuilder()
                            .setVersion("9.9.8")
                            .setType(FeastServingType.FEAST_SERVING_TYPE_ONLINE)
                            .build());
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

  private LarderCli cliOverInProcessChannels() {
    LarderCli cli = new LarderCli();
    cli.clients =
        settings -> LarderClient.over(settings.withRetries(0), channel(), channel(), channel());
    return cli;
  }

  private ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @Test
  void versionPrintsBothServices() {
    StringWriter out = new StringWriter();

    int exit =
        LarderCli.commandLine(cliOverInProcessChannels())
            .setOut(new PrintWriter(out))
            .execute("--timeout=2s", "version");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("registry 9.9.9")
        .contains("serving  9.9.8 (FEAST_SERVING_TYPE_ONLINE)");
  }

  @Test
  void unreachableServiceFailsWithTheGrpcStatusNotAStackTrace() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    StringWriter err = new StringWriter();

    int exit =
        LarderCli.commandLine(cliOverInProcessChannels())
            .setErr(new PrintWriter(err))
            .execute("version");

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString()).startsWith("larder: cannot reach the registry at localhost:6565");
  }

  @Test
  void badTimeoutIsAUsageError() {
    StringWriter err = new StringWriter();

    int exit =
        LarderCli.commandLine(new LarderCli())
            .setErr(new PrintWriter(err))
            .execute("--timeout=soon", "version");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("not a duration: 'soon'");
  }
}
