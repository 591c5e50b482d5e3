package io.larder.gateway.lookup;

import io.larder.gateway.featurespec.FeatureSpecs;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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

  /** The whole answer, rows in request order, from one online-store batch. */
  public Mono<GetOnlineFeaturesResponse> getOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    return Mono.defer(
        () -> {
          LookupPlan plan = plan(request);
          int rows = plan.rowCount();
          if (rows == 0) {
            return Mono.just(GetOnlineFeaturesResponse.getDefaultInstance());
          }
          LookupPlan.Batch batch = plan.batch(0, rows);
          return store
              .read(batch.reads)
              .map(
                  results -> {
                    checkAnswered(batch, results);
                    GetOnlineFeaturesResponse.Builder response =
                        GetOnlineFeaturesResponse.newBuilder();
                    for (int row = 0; row < rows; row++) {
                      response.addFieldValues(plan.row(batch, results, row));
                    }
                    return response.build();
                  });
        });
  }

  /**
   * The answer row by row: rows are read in chunks of {@code larder.gateway.stream-chunk-rows}, at
   * most {@code larder.gateway.stream-concurrency} chunks at once, and a chunk's rows are emitted
   * (as demanded) once its batch completes, so rows may arrive out of request order; {@code
   * row_index} says where each belongs. The whole request is validated before any row is emitted.
   */
  public Flux<StreamedFeatureRow> streamOnlineFeatures(GetOnlineFeaturesRequestV2 request) {
    return Flux.defer(
        () -> {
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
                      store
                          .read(batch.reads)
                          .flatMapMany(
                              results -> {
                                checkAnswered(batch, results);
                                return Flux.range(batch.from, batch.size())
                                    .map(
                                        row ->
                                            StreamedFeatureRow.newBuilder()
                                                .setRowIndex(row)
                                                .setRow(plan.row(batch, results, row))
                                                .build());
                              }),
                  properties.streamConcurrency());
        });
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
      if (results.get(i).size() != batch.reads.get(i).fields().size()) {
        throw new IllegalStateException(
            "the online store answered "
                + results.get(i).size()
                + " of "
                + batch.reads.get(i).fields().size()
                + " fields of read "
                + i);
      }
    }
  }
}
