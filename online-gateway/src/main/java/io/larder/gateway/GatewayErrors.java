package io.larder.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.larder.gateway.featurespec.FeatureSpecsNotLoadedException;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.support.grpc.StatusMessages;
import io.larder.support.security.AuthException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.Exceptions;

/**
 * The gateway's one place that turns failures into gRPC statuses and HTTP answers. gRPC services
 * call {@link #toGrpc} from {@code onErrorMap}; HTTP routes render {@link #toHttp} as an RFC 9457
 * problem body ({@link HttpError#problem()}).
 */
public final class GatewayErrors {

  private static final Logger log = LoggerFactory.getLogger(GatewayErrors.class);

  static final String INTERNAL_MESSAGE = "internal error in the gateway; see its log";

  private GatewayErrors() {}

  /** For reactor-grpc's {@code onErrorMap}: a {@link StatusRuntimeException} or StatusException. */
  public static Throwable toGrpc(Throwable failure) {
    Throwable error = Exceptions.unwrap(failure);
    if (error instanceof StatusRuntimeException || error instanceof StatusException) {
      return error;
    }
    if (error instanceof AuthException refused) {
      return refused.grpcStatus().asRuntimeException();
    }
    if (error instanceof GatewayException refused) {
      return grpcStatus(refused.reason())
          .withDescription(StatusMessages.limit(refused.getMessage()))
          .asRuntimeException();
    }
    if (error instanceof OnlineStoreUnavailableException
        || error instanceof FeatureSpecsNotLoadedException) {
      // Expected during an outage and logged where it is detected; one line per request would
      // flood the log exactly when it matters.
      return Status.UNAVAILABLE
          .withDescription(StatusMessages.limit(error.getMessage()))
          .asRuntimeException();
    }
    log.error("gateway request failed", error);
    return Status.INTERNAL.withDescription(INTERNAL_MESSAGE).asRuntimeException();
  }

  /**
   * An HTTP error answer.
   *
   * @param status the HTTP status
   * @param code the gRPC code name of the same failure, for clients that speak both
   * @param detail the message for the problem body
   */
  public record HttpError(HttpStatus status, String code, String detail) {

    /** RFC 9457 problem details: {@code {type,title,status,detail,code}}. */
    public Map<String, Object> problem() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("type", "about:blank");
      body.put("title", status.getReasonPhrase());
      body.put("status", status.value());
      body.put("detail", detail);
      body.put("code", code);
      return body;
    }
  }

  public static HttpError toHttp(Throwable failure) {
    Throwable error = Exceptions.unwrap(failure);
    if (error instanceof AuthException refused) {
      return new HttpError(refused.httpStatus(), refused.kind().name(), refused.getMessage());
    }
    if (error instanceof GatewayException refused) {
      return new HttpError(
          httpStatus(refused.reason()),
          refused.reason().name(),
          StatusMessages.limit(refused.getMessage()));
    }
    if (error instanceof OnlineStoreUnavailableException
        || error instanceof FeatureSpecsNotLoadedException) {
      return new HttpError(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", error.getMessage());
    }
    // Codecs may wrap these (e.g. in a ServerWebInputException), so look along the causes.
    DataBufferLimitException tooLarge = cause(error, DataBufferLimitException.class);
    if (tooLarge != null) {
      return new HttpError(
          HttpStatus.CONTENT_TOO_LARGE, "RESOURCE_EXHAUSTED", tooLarge.getMessage());
    }
    InvalidProtocolBufferException malformed = cause(error, InvalidProtocolBufferException.class);
    if (malformed != null) {
      return new HttpError(
          HttpStatus.BAD_REQUEST,
          "INVALID_ARGUMENT",
          "malformed request body: " + malformed.getMessage());
    }
    if (error instanceof DecodingException decoding) {
      return new HttpError(
          HttpStatus.BAD_REQUEST,
          "INVALID_ARGUMENT",
          "malformed request body: " + decoding.getMessage());
    }
    if (error instanceof ResponseStatusException status) {
      HttpStatus code = HttpStatus.resolve(status.getStatusCode().value());
      if (code != null && !code.is5xxServerError()) {
        return new HttpError(
            code,
            codeName(code),
            status.getReason() == null ? code.getReasonPhrase() : status.getReason());
      }
    }
    if (error instanceof StatusRuntimeException || error instanceof StatusException) {
      Status status = Status.fromThrowable(error);
      HttpStatus code = httpStatus(status.getCode());
      if (code != HttpStatus.INTERNAL_SERVER_ERROR) {
        return new HttpError(
            code,
            status.getCode().name(),
            status.getDescription() == null ? code.getReasonPhrase() : status.getDescription());
      }
    }
    log.error("gateway request failed", error);
    return new HttpError(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL", INTERNAL_MESSAGE);
  }

  private static Status grpcStatus(GatewayException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
    };
  }

  private static HttpStatus httpStatus(GatewayException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
    };
  }

  private static HttpStatus httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      default -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  private static String codeName(HttpStatus status) {
    return switch (status) {
      case NOT_FOUND -> "NOT_FOUND";
      case CONTENT_TOO_LARGE, TOO_MANY_REQUESTS -> "RESOURCE_EXHAUSTED";
      default -> "INVALID_ARGUMENT";
    };
  }

  private static <T extends Throwable> T cause(Throwable error, Class<T> type) {
    Throwable current = error;
    // Bounded: a cause chain may loop.
    for (int depth = 0; current != null && depth < 16; depth++) {
      if (type.isInstance(current)) {
        return type.cast(current);
      }
      current = current.getCause();
    }
    return null;
  }
}
