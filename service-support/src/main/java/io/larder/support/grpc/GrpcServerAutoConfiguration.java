package io.larder.support.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
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
      ObjectProvider<ServerInterceptor> interceptors) {
    return new GrpcServerLifecycle(
        properties, services.orderedStream().toList(), interceptors.orderedStream().toList());
  }
}
