package io.larder.support.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** Serves every {@link BindableService} bean of the application over one gRPC server. */
@AutoConfiguration
@EnableConfigurationProperties(GrpcServerProperties.class)
@ConditionalOnProperty(name = "larder.grpc.enabled", matchIfMissing = true)
public class GrpcServerAutoConfiguration {

  @Bean
  GrpcServerLifecycle grpcServerLifecycle(
      GrpcServerProperties properties,
      ObjectProvider<BindableService> services,
      ObjectProvider<ServerInterceptor> interceptors,
      ObjectProvider<MeterRegistry> meters) {
    List<ServerInterceptor> all = new ArrayList<>(interceptors.orderedStream().toList());
    // grpc.server.* timers and counters per method and status, next to the HTTP metrics.
    meters.ifAvailable(registry -> all.add(new MetricCollectingServerInterceptor(registry)));
    return new GrpcServerLifecycle(properties, services.orderedStream().toList(), all);
  }
}
