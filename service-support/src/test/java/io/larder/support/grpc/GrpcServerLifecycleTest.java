package io.larder.support.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class GrpcServerLifecycleTest {

  private static GrpcServerProperties onPort(int port) {
    return new GrpcServerProperties(
        "127.0.0.1", port, DataSize.ofMegabytes(4), Duration.ofSeconds(2), true, true);
  }

  @Test
  void servesHealthOnAFreePortAndStopsCleanly() throws Exception {
    GrpcServerLifecycle lifecycle = new GrpcServerLifecycle(onPort(0), List.of(), List.of());
    lifecycle.start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", lifecycle.port()).usePlaintext().build();
    try {
      var status =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      assertThat(status).isEqualTo(ServingStatus.SERVING);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      lifecycle.stop();
    }
    assertThat(lifecycle.isRunning()).isFalse();
  }

  @Test
  void portInUseFailsStartWithAMessageNamingThePortSetting() {
    GrpcServerLifecycle first = new GrpcServerLifecycle(onPort(0), List.of(), List.of());
    first.start();
    try {
      GrpcServerLifecycle second =
          new GrpcServerLifecycle(onPort(first.port()), List.of(), List.of());
      assertThatThrownBy(second::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(":" + first.port())
          .hasMessageContaining("larder.grpc.port");
    } finally {
      first.stop();
    }
  }

  @Test
  void requestBytesThatDoNotParseAnswerInvalidArgumentNamingTheMessage() throws Exception {
    MethodDescriptor<HealthCheckRequest, HealthCheckResponse> check =
        MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Checker/Check")
            .setRequestMarshaller(ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance()))
            .build();
    BindableService checker =
        () ->
            ServerServiceDefinition.builder("test.Checker")
                .addMethod(
                    check,
                    ServerCalls.asyncUnaryCall(
                        (request, response) -> {
                          response.onNext(
                              HealthCheckResponse.newBuilder()
                                  .setStatus(ServingStatus.SERVING)
                                  .build());
                          response.onCompleted();
                        }))
                .build();
    MethodDescriptor<byte[], byte[]> raw = check.toBuilder(new RawBytes(), new RawBytes()).build();
    GrpcServerLifecycle lifecycle = new GrpcServerLifecycle(onPort(0), List.of(checker), List.of());
    lifecycle.start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", lifecycle.port()).usePlaintext().build();
    try {
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
      // Field 1 (string) announcing 5 bytes, then only one.
      byte[] truncated = {0x0a, 0x05, 'a'};
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, options, truncated))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription())
                    .contains("request is not a valid grpc.health.v1.HealthCheckRequest");
              });
      // A request that parses still reaches the service, on the same connection.
      byte[] answer =
          ClientCalls.blockingUnaryCall(
              channel,
              raw,
              options,
              HealthCheckRequest.newBuilder().setService("a").build().toByteArray());
      assertThat(HealthCheckResponse.parseFrom(answer).getStatus())
          .isEqualTo(ServingStatus.SERVING);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      lifecycle.stop();
    }
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
