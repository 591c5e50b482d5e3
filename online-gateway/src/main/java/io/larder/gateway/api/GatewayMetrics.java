package io.larder.gateway.api;

import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import reactor.core.publisher.SignalType;

/**
 * The gateway's request metrics, recorded at the API edges:
 *
 * <ul>
 *   <li>{@code larder.gateway.requests} timer (percentile histogram), tags {@code api} and {@code
 *       outcome} (OK, CANCELLED or the error code the client saw);
 *   <li>{@code larder.gateway.rows} and {@code larder.gateway.features} counters (entity rows and
 *       feature values served), tag {@code api};
 *   <li>{@code larder.gateway.feature.status} counter, tag {@code status}: one per feature value
 *       served, by its status.
 * </ul>
 *
 * Meters are registered once; a request tallies in plain fields and adds to them once, when it
 * ends.
 */
@Component
public class GatewayMetrics {

  /** The four ways to ask for features; the {@code api} tag. */
  public enum Api {
    GRPC("grpc"),
    HTTP("http"),
    GRPC_STREAM("grpc_stream"),
    HTTP_STREAM("http_stream");

    private final String tag;

    Api(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  public static final String OK = "OK";
  public static final String CANCELLED = "CANCELLED";

  // Answers take tens of microseconds to milliseconds; the default buckets start at 1 ms.
  private static final Duration HISTOGRAM_MIN = Duration.ofNanos(20_000);
  private static final Duration HISTOGRAM_MAX = Duration.ofSeconds(30);

  /** Status numbers a response may carry; anything else counts as INVALID. */
  private static final FieldStatus[] STATUSES = {
    FieldStatus.INVALID,
    FieldStatus.PRESENT,
    FieldStatus.NULL_VALUE,
    FieldStatus.NOT_FOUND,
    FieldStatus.OUTSIDE_MAX_AGE
  };

  private final MeterRegistry registry;
  private final Map<Api, ApiMeters> apis = new EnumMap<>(Api.class);
  private final Counter[] statusCounters = new Counter[STATUSES.length];

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Api api : Api.values()) {
      apis.put(api, new ApiMeters(api));
    }
    for (FieldStatus status : STATUSES) {
      statusCounters[status.getNumber()] =
          Counter.builder("larder.gateway.feature.status")
              .description("Feature values served, by status")
              .tag("status", status.name())
              .register(registry);
    }
  }

  /**
   * Starts measuring one request, now (before its body is parsed, for HTTP); {@link
   * RequestMeasure#finish} ends it.
   */
  public RequestMeasure start(Api api) {
    return new RequestMeasure(apis.get(api), System.nanoTime());
  }

  private Timer requestTimer(Api api, String outcome) {
    return Timer.builder("larder.gateway.requests")
        .description(
            "Online feature requests, from received to answered (streams: to their last row)")
        .tags("api", api.tag(), "outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(HISTOGRAM_MIN)
        .maximumExpectedValue(HISTOGRAM_MAX)
        .register(registry);
  }

  private final class ApiMeters {
    private final Api api;
    private final Timer ok;
    private final Map<String, Timer> byOutcome = new ConcurrentHashMap<>();
    private final Counter rows;
    private final Counter features;

    ApiMeters(Api api) {
      this.api = api;
      this.ok = requestTimer(api, OK);
      this.rows =
          Counter.builder("larder.gateway.rows")
              .description("Entity rows served")
              .tag("api", api.tag())
              .register(registry);
      this.features =
          Counter.builder("larder.gateway.features")
              .description("Feature values served")
              .tag("api", api.tag())
              .register(registry);
    }

    Timer timer(String outcome) {
      return OK.equals(outcome)
          ? ok
          : byOutcome.computeIfAbsent(outcome, o -> requestTimer(api, o));
    }
  }

  /**
   * One request in flight: tallies what it served in plain fields (a reactive stream delivers its
   * rows one at a time, never concurrently) and publishes them once at the end.
   */
  public final class RequestMeasure {
    private final ApiMeters meters;
    private final long startNanos;
    private final long[] statuses = new long[STATUSES.length];
    private long rows;
    private long features;
    private String errorCode;
    private boolean ended;

    private RequestMeasure(ApiMeters meters, long startNanos) {
      this.meters = meters;
      this.startNanos = startNanos;
    }

    /** Counts the rows and feature statuses of an answer (or of one chunk of a streamed one). */
    public void answered(OnlineAnswer answer) {
      long[] counts = answer.statusCounts();
      for (int i = 0; i < counts.length && i < statuses.length; i++) {
        statuses[i] += counts[i];
      }
      features += (long) answer.rowCount() * answer.slotCount();
      rows += answer.rowCount();
    }

    /**
     * Remembers the error code the client got (gRPC status code name or the problem code), for
     * {@link #finish}.
     */
    public void failedWith(String code) {
      this.errorCode = code;
    }

    /** Publishes the request's measures; for {@code doFinally}, which runs exactly once. */
    public void finish(SignalType signal) {
      if (errorCode != null) {
        // Also when the error became a problem answer (the signal is then a completion).
        end(errorCode);
        return;
      }
      switch (signal) {
        case ON_COMPLETE -> end(OK);
        case CANCEL -> end(CANCELLED);
        // An error that bypassed the edge's mapping.
        default -> end("INTERNAL");
      }
    }

    private void end(String outcome) {
      if (ended) {
        return;
      }
      ended = true;
      meters.timer(outcome).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
      if (rows > 0) {
        meters.rows.increment(rows);
        meters.features.increment(features);
        for (int i = 0; i < statuses.length; i++) {
          if (statuses[i] > 0) {
            statusCounters[i].increment(statuses[i]);
          }
        }
      }
    }
  }
}
