package io.larder.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.gateway.GatewayErrors.HttpError;
import io.larder.gateway.featurespec.FeatureSpecsNotLoadedException;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.Exceptions;

class GatewayErrorsTest {

  private static Status grpc(Throwable error) {
    return Status.fromThrowable(GatewayErrors.toGrpc(error));
  }

  @Test
  void refusalsKeepTheirReasonAndMessage() {
    assertThat(grpc(GatewayException.invalid("entity_rows[0]: bad")))
        .satisfies(
            status -> {
              assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(status.getDescription()).isEqualTo("entity_rows[0]: bad");
            });
    assertThat(grpc(GatewayException.notFound("project 'x' not found")).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);

    HttpError invalid = GatewayErrors.toHttp(GatewayException.invalid("entity_rows[0]: bad"));
    assertThat(invalid)
        .isEqualTo(
            new HttpError(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", "entity_rows[0]: bad"));
    assertThat(GatewayErrors.toHttp(GatewayException.notFound("nope")).status())
        .isEqualTo(HttpStatus.NOT_FOUND);
  }

  @Test
  void anUnavailableStoreOrMissingSpecsAreUnavailable() {
    OnlineStoreUnavailableException down =
        new OnlineStoreUnavailableException("redis: circuit open", null);
    assertThat(grpc(down).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(grpc(down).getDescription()).isEqualTo("redis: circuit open");
    assertThat(GatewayErrors.toHttp(down))
        .isEqualTo(
            new HttpError(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "redis: circuit open"));

    FeatureSpecsNotLoadedException notLoaded = new FeatureSpecsNotLoadedException("not loaded");
    assertThat(grpc(notLoaded).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GatewayErrors.toHttp(notLoaded).status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
  }

  @Test
  void statusesPassThroughGrpcAndMapToHttp() {
    StatusRuntimeException deadline =
        Status.DEADLINE_EXCEEDED.withDescription("too slow").asRuntimeException();

    assertThat(GatewayErrors.toGrpc(deadline)).isSameAs(deadline);
    assertThat(GatewayErrors.toHttp(deadline))
        .isEqualTo(new HttpError(HttpStatus.GATEWAY_TIMEOUT, "DEADLINE_EXCEEDED", "too slow"));
  }

  @Test
  void anythingElseIsAnInternalErrorThatRevealsNothing() {
    IllegalStateException bug = new IllegalStateException("secret detail");

    assertThat(grpc(bug).getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(grpc(bug).getDescription()).isEqualTo("internal error in the gateway; see its log");
    assertThat(GatewayErrors.toHttp(bug))
        .isEqualTo(
            new HttpError(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error in the gateway; see its log"));
  }

  @Test
  void reactorWrappedFailuresAreUnwrapped() {
    Throwable wrapped = Exceptions.propagate(new java.io.IOException("checked"));
    assertThat(grpc(wrapped).getCode()).isEqualTo(Status.Code.INTERNAL);

    Throwable refusal = Exceptions.propagate(GatewayException.invalid("bad"));
    assertThat(grpc(refusal).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void oversizeBodiesAre413EvenWhenACodecWrapsThem() {
    DataBufferLimitException limit = new DataBufferLimitException("Exceeded limit 8388608");

    assertThat(GatewayErrors.toHttp(limit).status()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
    assertThat(GatewayErrors.toHttp(new ServerWebInputException("body", null, limit)))
        .isEqualTo(
            new HttpError(
                HttpStatus.CONTENT_TOO_LARGE, "RESOURCE_EXHAUSTED", "Exceeded limit 8388608"));
  }

  @Test
  void malformedBodiesAre400() {
    HttpError malformed =
        GatewayErrors.toHttp(new InvalidProtocolBufferException("Expect message object"));
    assertThat(malformed.status()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(malformed.code()).isEqualTo("INVALID_ARGUMENT");
    assertThat(malformed.detail()).isEqualTo("malformed request body: Expect message object");

    assertThat(GatewayErrors.toHttp(new ServerWebInputException("No request body")).status())
        .isEqualTo(HttpStatus.BAD_REQUEST);
  }

  @Test
  void theProblemBodyHasTheRfc9457FieldsAndTheGrpcCode() {
    assertThat(GatewayErrors.toHttp(GatewayException.notFound("project 'x' not found")).problem())
        .containsExactly(
            java.util.Map.entry("type", "about:blank"),
            java.util.Map.entry("title", "Not Found"),
            java.util.Map.entry("status", 404),
            java.util.Map.entry("detail", "project 'x' not found"),
            java.util.Map.entry("code", "NOT_FOUND"));
  }
}
