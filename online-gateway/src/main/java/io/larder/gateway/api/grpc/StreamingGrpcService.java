package io.larder.gateway.api.grpc;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.larder.gateway.GatewayErrors;
import io.larder.gateway.api.GatewayMetrics;
import io.larder.gateway.api.GatewayMetrics.Api;
import io.larder.gateway.api.GatewayMetrics.RequestMeasure;
import io.larder.gateway.lookup.LookupProperties;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.lookup.OnlineFeatureService;
import io.larder.proto.larder.StreamingServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.support.security.Caller;
import io.larder.support.security.GrpcAuthentication;
import io.larder.support.security.ProjectRole;
import java.time.Duration;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * larder.serving.StreamingServingService: rows leave as their chunk's lookup completes, at the pace
 * the client reads them (reactor-grpc turns gRPC flow control into demand), each written by {@link
 * ProtoAnswerEncoder}.
 */
@Component
class StreamingGrpcService implements BindableService {

  static final MethodDescriptor<GetOnlineFeaturesRequestV2, EncodedMessage> STREAM_ONLINE_FEATURES =
      StreamingServingServiceGrpc.getStreamOnlineFeaturesMethod().toBuilder(
              StreamingServingServiceGrpc.getStreamOnlineFeaturesMethod().getRequestMarshaller(),
              EncodedMessage.MARSHALLER)
          .build();

  private final OnlineFeatureService features;
  private final GatewayMetrics metrics;
  private final Duration defaultBudget;

  StreamingGrpcService(
      OnlineFeatureService features, GatewayMetrics metrics, LookupProperties properties) {
    this.features = features;
    this.metrics = metrics;
    this.defaultBudget = properties.requestTimeout();
  }

  @Override
  public ServerServiceDefinition bindService() {
    ServiceDescriptor generated = StreamingServingServiceGrpc.getServiceDescriptor();
    return ServerServiceDefinition.builder(
            ServiceDescriptor.newBuilder(generated.getName())
                .setSchemaDescriptor(generated.getSchemaDescriptor())
                .addMethod(STREAM_ONLINE_FEATURES)
                .build())
        .addMethod(
            STREAM_ONLINE_FEATURES,
            ServerCalls.asyncServerStreamingCall(
                (request, response) ->
                    com.salesforce.reactorgrpc.stub.ServerCalls.oneToMany(
                        request, response, this::streamOnlineFeatures, GatewayErrors::toGrpc)))
        .build();
  }

  Flux<EncodedMessage> streamOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    RequestMeasure measure = metrics.start(Api.GRPC_STREAM);
    Duration budget = ServingGrpcService.budget(defaultBudget);
    Caller caller = GrpcAuthentication.current();
    return Flux.defer(
            () -> {
              caller.require(
                  ProjectRole.READER,
                  OnlineFeatureService.projectOf(request),
                  ServingGrpcService.READ);
              return features.answerInChunks(request, budget);
            })
        .concatMapIterable(
            answer -> {
              measure.answered(answer);
              return rows(answer);
            },
            // One chunk at a time: chunks are read only as fast as the client takes rows.
            1)
        .onErrorMap(error -> ServingGrpcService.toStatus(error, measure))
        .doFinally(measure::finish);
  }

  /** A chunk's rows, each encoded as it is sent. */
  private static Iterable<EncodedMessage> rows(OnlineAnswer answer) {
    ProtoAnswerEncoder encoder = ProtoAnswerEncoder.forShape(answer);
    return () ->
        new java.util.Iterator<>() {
          private int row;

          @Override
          public boolean hasNext() {
            return row < answer.rowCount();
          }

          @Override
          public EncodedMessage next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            return encoder.streamedRow(answer, row++);
          }
        };
  }
}
