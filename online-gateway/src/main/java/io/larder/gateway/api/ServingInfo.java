package io.larder.gateway.api;

import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/** What GetFeastServingInfo answers over gRPC and HTTP: this build's version, an online server. */
@Component
public class ServingInfo {

  private final GetFeastServingInfoResponse info;

  public ServingInfo(ObjectProvider<BuildProperties> build) {
    BuildProperties properties = build.getIfAvailable();
    this.info =
        GetFeastServingInfoResponse.newBuilder()
            .setVersion(properties == null ? "dev" : properties.getVersion())
            .setType(FeastServingType.FEAST_SERVING_TYPE_ONLINE)
            .build();
  }

  public GetFeastServingInfoResponse response() {
    return info;
  }
}
