package io.larder.gateway.api.grpc;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.api.ServingInfo;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Feast 0.9's feast.serving.ServingService over gRPC; the lookup does the work. Answers leave
 * through {@link ProtoAnswerEncoder} (the same bytes as the generated messages, written without
 * them), so the service is bound by hand with that response marshaller.
 */
@Component
class ServingGrpcService implements BindableService {

  static final MethodDescriptor<GetOnlineFeaturesRequestV2, EncodedMessage> GET_ONLINE_FEATURES_V2 =
      ServingServiceGrpc.getGetOnlineFeaturesV2Method().toBuilder(
              ServingServiceGrpc.getGetOnlineFeaturesV2Method().getRequestMarshaller(),
              EncodedMessage.MARSHALLER)
          .build();

  private static final Duration DEADLINE_GRACE = Duration.ofMillis(20);

  /** What a lookup does, for permission messages. */
  static final String READ = "read online features";

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;
  private final Duration defaultBudget;
  private final Mono<GetFeastServingInfoResponse> info;

  ServingGrpcService(
      OnlineFeatureService features,
      GatewayMetrics metrics,
      ServingInfo info,
      LookupProperties properties) {
    this.features = features;
    this.metrics = metrics;
    this.defaultBudget = properties.requestTimeout();
    this.info = Mono.just(info.response());
  }

  @Override
  public ServerServiceDefinition bindService() {
    ServiceDescriptor generated = ServingServiceGrpc.getServiceDescriptor();
    return ServerServiceDefinition.builder(
            ServiceDescriptor.newBuilder(generated.getName())
                .setSchemaDescriptor(generated.getSchemaDescriptor())
                .addMethod(ServingServiceGrpc.getGetFeastServingInfoMethod())
                .addMethod(GET_ONLINE_FEATURES_V2)
                .build())
        .addMethod(
            ServingServiceGrpc.getGetFeastServingInfoMethod(),
            ServerCalls.asyncUnaryCall(
                (request, response) ->
                    com.salesforce.reactorgrpc.stub.ServerCalls.oneToOne(
                        request, response, this::getFeastServingInfo, GatewayErrors::toGrpc)))
        .addMethod(
            GET_ONLINE_FEATURES_V2,
            ServerCalls.asyncUnaryCall(
                (request, response) ->
                    com.salesforce.reactorgrpc.stub.ServerCalls.oneToOne(
                        request, response, this::getOnlineFeaturesV2, GatewayErrors::toGrpc)))
        .build();
  }

  Mono<GetFeastServingInfoResponse> getFeastServingInfo(GetFeastServingInfoRequest request) {
    return info;
  }

  Mono<EncodedMessage> getOnlineFeaturesV2(GetOnlineFeaturesRequestV2 request) {
    RequestMeasure measure = metrics.start(Api.GRPC);
    Duration budget = budget(defaultBudget);
    Caller caller = GrpcAuthentication.current();
    // defer: a lookup that throws while assembling still ends up mapped and measured.
    return Mono.defer(
            () -> {
              caller.require(ProjectRole.READER, OnlineFeatureService.projectOf(request), READ);
              return features.answer(request, budget);
            })
        .map(
            answer -> {
              measure.answered(answer);
              return ProtoAnswerEncoder.forShape(answer).response(answer);
            })
        .onErrorMap(error -> toStatus(error, measure))
        .doFinally(measure::finish);
  }

  /**
   * What is left of the call's deadline, or the default when it has none; read on the thread that
   * starts the call, where gRPC's context is current. gRPC itself ends a call at its deadline (and
   * so cancels the lookup); the lookup's own timer, a little later, is only the backstop.
   */
  static Duration budget(Duration defaultBudget) {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null
        ? defaultBudget
        : Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)))
            .plus(DEADLINE_GRACE);
  }

  /** Maps once, here, so the metric's outcome is the code the client gets. */
  static Throwable toStatus(Throwable error, RequestMeasure measure) {
    Throwable mapped = GatewayErrors.toGrpc(error);
    measure.failedWith(Status.fromThrowable(mapped).getCode().name());
    return mapped;
  }
}
