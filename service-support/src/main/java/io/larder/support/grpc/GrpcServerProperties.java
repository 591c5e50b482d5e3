package io.larder.support.grpc;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gRPC server of a Larder service ({@code larder.grpc.*}); each service sets its Feast default
 * port in its own application.yaml.
 *
 * @param host address to bind; 0.0.0.0 serves every interface
 * @param port port to bind; 0 picks a free one (tests)
 * @param maxInboundMessageSize largest request accepted; bigger ones fail RESOURCE_EXHAUSTED
 * @param shutdownGrace how long in-flight calls may finish on shutdown before they are cancelled
 * @param reflection serve gRPC reflection so grpcurl works without .proto files
 * @param directExecutor run handlers on the transport threads (handlers must never block)
 */
@ConfigurationProperties("larder.grpc")
public record GrpcServerProperties(
    @DefaultValue("0.0.0.0") String host,
    @DefaultValue("0") int port,
    @DefaultValue("16MB") DataSize maxInboundMessageSize,
    @DefaultValue("10s") Duration shutdownGrace,
    @DefaultValue("true") boolean reflection,
    @DefaultValue("true") boolean directExecutor) {}
