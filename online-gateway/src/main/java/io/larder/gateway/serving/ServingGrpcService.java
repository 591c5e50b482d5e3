package io.larder.gateway.serving;

import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** The Feast-0.9 ServingService over gRPC; RPCs not yet built answer UNIMPLEMENTED. */
@Component
class ServingGrpcService extends ReactorServingServiceGrpc.ServingServiceImplBase {

  private final GetFeastServingInfoResponse info;

  ServingGrpcService(ObjectProvider<BuildProperties> build) {
    BuildProperties properties = build.getIfAvailable();
    this.info =
        GetFeastServingInfoResponse.newBuilder()
            .setVersion(properties == null ? "dev" : properties.getVersion())
            .setType(FeastServingType.FEAST_SERVING_TYPE_ONLINE)
            .build();
  }

  @Override
  public Mono<GetFeastServingInfoResponse> getFeastServingInfo(
      Mono<GetFeastServingInfoRequest> request) {
    return request.map(ignored -> info);
  }
}
