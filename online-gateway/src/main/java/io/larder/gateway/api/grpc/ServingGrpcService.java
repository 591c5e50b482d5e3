package io.larder.gateway.api.grpc;

import io.grpc.Status;
import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Feast 0.9's feast.serving.ServingService over gRPC; the lookup does the work. */
@Component
class ServingGrpcService extends ReactorServingServiceGrpc.ServingServiceImplBase {

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;
  private final Mono<GetFeastServingInfoResponse> info;

  ServingGrpcService(OnlineFeatureService features, GatewayMetrics metrics, ServingInfo info) {
    this.features = features;
    this.metrics = metrics;
    this.info = Mono.just(info.response());
  }

  @Override
  public Mono<GetFeastServingInfoResponse> getFeastServingInfo(GetFeastServingInfoRequest request) {
    return info;
  }

  @Override
  public Mono<GetOnlineFeaturesResponse> getOnlineFeaturesV2(GetOnlineFeaturesRequestV2 request) {
    RequestMeasure measure = metrics.start(Api.GRPC).request(request);
    // defer: a lookup that throws while assembling still ends up mapped and measured.
    return Mono.defer(() -> features.getOnlineFeatures(request))
        .doOnNext(measure::response)
        .onErrorMap(error -> toStatus(error, measure))
        .doFinally(measure::finish);
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return GatewayErrors.toGrpc(error);
  }

  /** Maps once, here, so the metric's outcome is the code the client gets. */
  static Throwable toStatus(Throwable error, RequestMeasure measure) {
    Throwable mapped = GatewayErrors.toGrpc(error);
    measure.failedWith(Status.fromThrowable(mapped).getCode().name());
    return mapped;
  }
}
