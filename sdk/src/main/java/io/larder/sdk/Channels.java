package io.larder.sdk;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Channels as the settings ask: plain text or TLS, with a bearer token when one is set. */
final class Channels {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private Channels() {}

  static ManagedChannel open(String target, LarderSettings settings) {
    NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target);
    if (settings.tls()) {
      builder.useTransportSecurity();
      if (settings.trustCertificates() != null) {
        try {
          builder.sslContext(
              GrpcSslContexts.forClient()
                  .trustManager(settings.trustCertificates().toFile())
                  .build());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot read trust certificates " + settings.trustCertificates(), e);
        }
      }
    } else {
      builder.usePlaintext();
    }
    if (settings.token() != null && !settings.token().isBlank()) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + settings.token());
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return builder.build();
  }
}
