package io.larder.support.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Runs the service's gRPC server for as long as the Spring context lives. */
public final class GrpcServerLifecycle implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

  private final GrpcServerProperties properties;
  private final List<BindableService> services;
  private final List<ServerInterceptor> interceptors;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;

  public GrpcServerLifecycle(
      GrpcServerProperties properties,
      List<BindableService> services,
      List<ServerInterceptor> interceptors) {
    this.properties = properties;
    this.services = List.copyOf(services);
    this.interceptors = List.copyOf(interceptors);
  }

  @Override
  public void start() {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(properties.host(), properties.port()))
            .maxInboundMessageSize((int) properties.maxInboundMessageSize().toBytes())
            .addService(health.getHealthService());
    if (properties.directExecutor()) {
      builder.directExecutor();
    }
    if (properties.reflection()) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
      // Older grpcurl releases only speak the v1alpha reflection protocol.
      builder.addService(legacyReflection());
    }
    for (BindableService service : services) {
      builder.addService(
          UnparsableRequests.refuse(ServerInterceptors.intercept(service, interceptors)));
    }
    Server started;
    try {
      started = builder.build().start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "gRPC server could not bind "
              + properties.host()
              + ":"
              + properties.port()
              + " (port in use? set larder.grpc.port)",
          e);
    }
    server = started;
    log.info(
        "gRPC server listening on {}:{} with {}",
        properties.host(),
        started.getPort(),
        services.stream().map(s -> s.bindService().getServiceDescriptor().getName()).toList());
  }

  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService legacyReflection() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  @Override
  public void stop() {
    Server running = server;
    if (running == null) {
      return;
    }
    health.enterTerminalState();
    running.shutdown();
    try {
      if (!running.awaitTermination(properties.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("gRPC calls still running after {}; cancelling them", properties.shutdownGrace());
        running.shutdownNow();
      }
    } catch (InterruptedException e) {
      running.shutdownNow();
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** The bound port, which differs from the configured one when that was 0. */
  public int port() {
    Server running = server;
    if (running == null) {
      throw new IllegalStateException("gRPC server is not running");
    }
    return running.getPort();
  }
}
