package io.larder.registry.core;

import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionRequest;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionResponse;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** The Feast-0.9 CoreService over gRPC; RPCs not yet built answer UNIMPLEMENTED. */
@Component
class CoreGrpcService extends ReactorCoreServiceGrpc.CoreServiceImplBase {

  private final String version;

  CoreGrpcService(ObjectProvider<BuildProperties> build) {
    BuildProperties properties = build.getIfAvailable();
    this.version = properties == null ? "dev" : properties.getVersion();
  }

  @Override
  public Mono<GetFeastCoreVersionResponse> getFeastCoreVersion(
      Mono<GetFeastCoreVersionRequest> request) {
    return request.map(
        ignored -> GetFeastCoreVersionResponse.newBuilder().setVersion(version).build());
  }
}
