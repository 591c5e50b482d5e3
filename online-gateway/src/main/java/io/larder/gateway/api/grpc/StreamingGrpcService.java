package io.larder.gateway.api.grpc;

import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.larder.ReactorStreamingServingServiceGrpc;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * larder.serving.StreamingServingService: rows leave as their chunk's lookup completes, at the pace
 * the client reads them (reactor-grpc turns gRPC flow control into demand).
 */
@Component
class StreamingGrpcService
    extends ReactorStreamingServingServiceGrpc.StreamingServingServiceImplBase {

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;

  StreamingGrpcService(OnlineFeatureService features, GatewayMetrics metrics) {
    this.features = features;
    this.metrics = metrics;
  }

  @Override
  public Flux<StreamedFeatureRow> streamOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    RequestMeasure measure = metrics.start(Api.GRPC_STREAM).request(request);
    return Flux.defer(() -> features.streamOnlineFeatures(request))
        .doOnNext(measure::row)
        .onErrorMap(error -> ServingGrpcService.toStatus(error, measure))
        .doFinally(measure::finish);
  }

  @Override
  protected Throwable onErrorMap(Throwable error) {
    return GatewayErrors.toGrpc(error);
  }
}
