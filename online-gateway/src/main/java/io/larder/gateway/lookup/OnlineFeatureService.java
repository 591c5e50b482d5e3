package io.larder.gateway.lookup;

import io.larder.gateway.GatewayException;
import io.larder.gateway.featurespec.FeatureSpecs;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Online feature lookup with Feast 0.9's semantics: the latest value and status of each requested
 * {@code table:feature} for each entity row. A request is planned against the current spec snapshot
 * (never waiting for the registry), its distinct keys are read from the online store in one
 * pipelined batch (streaming: one per chunk of rows), and the response is built straight into the
 * proto builders.
 *
 * <p>Refusals are {@link io.larder.gateway.GatewayException}s, an unreachable store is {@link
 * OnlineStoreUnavailableException}, specs not loaded yet is {@link
 * io.larder.gateway.featurespec.FeatureSpecsNotLoadedException}; {@link
 * io.larder.gateway.GatewayErrors} maps them all. Nothing happens before subscription.
 */
@Service
public class OnlineFeatureService {

  /** Requests with more rows are planned and answered on the parallel scheduler. */
  static final int LARGE_REQUEST_ROWS = 256;

  private final FeatureSpecs specs;
  private final OnlineStore store;
  private final LookupProperties properties;
  private final Clock clock;

  @Autowired
  public OnlineFeatureService(FeatureSpecs specs, OnlineStore store, LookupProperties properties) {
    this(specs, store, properties, Clock.systemUTC());
  }

  /** With a clock, for tests of max age against the receive time. */
  public OnlineFeatureService(
      FeatureSpecs specs, OnlineStore store, LookupProperties properties, Clock clock) {
    this.specs = specs;
    this.store = store;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * The whole answer, as the message tree; for callers that want it (the edges use {@link
   * #answer}).
   */
  public Mono<GetOnlineFeaturesResponse> getOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    return answer(request, properties.requestTimeout()).map(OnlineAnswer::toResponse);
  }

  /**
   * The answer row by row as messages; for callers that want them (the edges use {@link
   * #answerInChunks}).
   */
  public Flux<StreamedFeatureRow> streamOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    return answerInChunks(request, properties.requestTimeout())
        // One chunk at a time: chunks are read only as fast as their rows are consumed.
        .concatMapIterable(
            answer -> {
              List<StreamedFeatureRow> rows = new ArrayList<>(answer.rowCount());
              for (int row = 0; row < answer.rowCount(); row++) {
                rows.add(
                    StreamedFeatureRow.newBuilder()
                        .setRowIndex(answer.requestRow(row))
                        .setRow(answer.row(row))
                        .build());
              }
              return rows;
            },
            1);
  }

  /**
   * The whole answer, rows in request order, from one online-store batch.
   *
   * @param budget how long the lookup may take (the call's deadline); past it the request fails
   *     with DEADLINE_EXCEEDED, which says nothing about the store's health
   */
  /** The project a request reads: its own, or Feast's {@code default} when it names none. */
  public static String projectOf(GetOnlineFeaturesRequestV2 request) {
    return request.getProject().isEmpty() ? LookupPlan.DEFAULT_PROJECT : request.getProject();
  }

  public Mono<OnlineAnswer> answer(GetOnlineFeaturesRequestV2 request, Duration budget) {
    boolean large = request.getEntityRowsCount() > LARGE_REQUEST_ROWS;
    Mono<OnlineAnswer> answer =
        Mono.defer(
            () -> {
              long deadline = System.nanoTime() + budget.toNanos();
              LookupPlan plan = plan(request);
              int rows = plan.rowCount();
              LookupPlan.Batch batch = plan.batch(0, rows);
              if (rows == 0) {
                return Mono.just(plan.answer(batch, List.of()));
              }
              Mono<List<List<byte[]>>> results = read(batch, deadline, budget);
              if (large) {
                // Not on the store's I/O thread: every other read's replies arrive there.
                results = results.publishOn(Schedulers.parallel());
              }
              return results.map(read -> plan.answer(batch, read));
            });
    // Planning thousands of rows takes milliseconds: not on the caller's event loop either.
    return large ? answer.subscribeOn(Schedulers.parallel()) : answer;
  }

  /**
   * The answer in chunks of {@code larder.gateway.stream-chunk-rows} rows, at most {@code
   * larder.gateway.stream-concurrency} chunks read at once, each emitted (as demanded) once its
   * batch completes, so chunks may arrive out of request order; {@link OnlineAnswer#requestRow}
   * says where each row belongs. The whole request is validated before any chunk is read.
   *
   * @param budget how long the lookups may take, all chunks together
   */
  public Flux<OnlineAnswer> answerInChunks(GetOnlineFeaturesRequestV2 request, Duration budget) {
    return Flux.defer(
        () -> {
          long deadline = System.nanoTime() + budget.toNanos();
          LookupPlan plan = plan(request);
          int rows = plan.rowCount();
          int chunk = properties.streamChunkRows();
          // Encoding every key up front validates every row before the first one is sent.
          List<LookupPlan.Batch> batches = new ArrayList<>((rows + chunk - 1) / chunk);
          for (int from = 0; from < rows; from += chunk) {
            batches.add(plan.batch(from, Math.min(rows, from + chunk)));
          }
          return Flux.fromIterable(batches)
              .flatMap(
                  batch ->
                      read(batch, deadline, budget).map(results -> plan.answer(batch, results)),
                  properties.streamConcurrency());
        });
  }

  /** The batch's reads, checked, within what is left of the request's budget. */
  private Mono<List<List<byte[]>>> read(LookupPlan.Batch batch, long deadline, Duration budget) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return Mono.error(() -> deadlineExceeded(budget));
    }
    return store
        .read(batch.reads)
        .timeout(Duration.ofNanos(left), Mono.error(() -> deadlineExceeded(budget)))
        .doOnNext(results -> checkAnswered(batch, results));
  }

  private static GatewayException deadlineExceeded(Duration budget) {
    return GatewayException.deadlineExceeded(
        "the lookup did not finish within the request's deadline of "
            + budget.toMillis()
            + " ms (the client's gRPC deadline, the X-Request-Timeout header or"
            + " larder.gateway.request-timeout)");
  }

  private LookupPlan plan(GetOnlineFeaturesRequestV2 request) {
    Instant now = clock.instant();
    long receivedNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return LookupPlan.of(specs.current(), request, properties, receivedNanos);
  }

  private static void checkAnswered(LookupPlan.Batch batch, List<List<byte[]>> results) {
    if (results.size() != batch.reads.size()) {
      throw new IllegalStateException(
          "the online store answered " + results.size() + " of " + batch.reads.size() + " reads");
    }
    for (int i = 0; i < results.size(); i++) {
      int expected = batch.reads.get(i) instanceof HashRead hash ? hash.fields().size() : 1;
      if (results.get(i).size() != expected) {
        throw new IllegalStateException(
            "the online store answered "
                + results.get(i).size()
                + " of "
                + expected
                + " values of read "
                + i);
      }
    }
  }
}
