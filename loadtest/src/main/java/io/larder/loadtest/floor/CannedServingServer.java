package io.larder.loadtest.floor;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's floor: a gRPC server that answers GetOnlineFeaturesV2 with a response of the
 * requested shape (entity fields echoed, every feature PRESENT) without any lookup. The same driver
 * at the same rate against it shows what gRPC, protobuf and this machine cost on their own, so a
 * gateway p99 can be read against what no gRPC server here could beat.
 */
@Command(
    name = "canned-serving-server",
    mixinStandardHelpOptions = true,
    description = "Answers GetOnlineFeaturesV2 with canned PRESENT values, no store behind it.")
public final class CannedServingServer implements Callable<Integer> {

  private static final Value CANNED = Value.newBuilder().setDoubleVal(0.5).build();

  @Option(
      names = "--port",
      defaultValue = "6599",
      description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int port;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CannedServingServer()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    // The same transport set-up as the gateway: handlers run on the transport threads.
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .directExecutor()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .addService(new Canned())
            .build()
            .start();
    System.err.printf("canned serving server on 127.0.0.1:%d%n", server.getPort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
    return 0;
  }

  /** Builds the answer per request, as a server must, but reads nothing. */
  static GetOnlineFeaturesResponse answer(GetOnlineFeaturesRequestV2 request) {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    for (EntityRow row : request.getEntityRowsList()) {
      FieldValues.Builder values = FieldValues.newBuilder().putAllFields(row.getFieldsMap());
      for (Map.Entry<String, Value> entity : row.getFieldsMap().entrySet()) {
        values.putStatuses(entity.getKey(), FieldStatus.PRESENT);
      }
      for (FeatureReferenceV2 feature : request.getFeaturesList()) {
        String key = feature.getFeatureTable() + ":" + feature.getName();
        values.putFields(key, CANNED).putStatuses(key, FieldStatus.PRESENT);
      }
      response.addFieldValues(values);
    }
    return response.build();
  }

  private static final class Canned extends ServingServiceGrpc.ServingServiceImplBase {
    @Override
    public void getOnlineFeaturesV2(
        GetOnlineFeaturesRequestV2 request, StreamObserver<GetOnlineFeaturesResponse> observer) {
      observer.onNext(answer(request));
      observer.onCompleted();
    }
  }
}
