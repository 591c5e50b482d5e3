package io.larder.registry.change;

import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.registry.RegistryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What changed since a sequence, for the orchestrator's and the gateway's pollers. */
@Service
public class ChangeFeed {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final ChangeStore store;
  private final Duration watchPollInterval;

  ChangeFeed(
      ChangeStore store,
      @Value("${larder.registry.watch-poll-interval:250ms}") Duration watchPollInterval) {
    this.store = store;
    this.watchPollInterval = watchPollInterval;
  }

  public Mono<ListChangesResponse> list(long sinceSequence, int limit) {
    if (sinceSequence < 0) {
      return Mono.error(RegistryException.invalid("since_sequence: must not be negative"));
    }
    if (limit < 0) {
      return Mono.error(RegistryException.invalid("limit: must not be negative"));
    }
    int pageSize = limit == 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
    return Mono.zip(
        store.since(sinceSequence, pageSize).collectList(),
        store.latestSequence(),
        (changes, latest) ->
            ListChangesResponse.newBuilder()
                .addAllChanges(changes)
                .setLatestSequence(latest)
                .build());
  }

  /** The changes after {@code sinceSequence}, then each new one, until cancelled. */
  public Flux<Change> watch(long sinceSequence) {
    if (sinceSequence < 0) {
      return Flux.error(RegistryException.invalid("since_sequence: must not be negative"));
    }
    return Flux.defer(
        () -> {
          AtomicLong cursor = new AtomicLong(sinceSequence);
          // A tick that arrives while a poll is still running is dropped, never queued.
          return Flux.interval(Duration.ZERO, watchPollInterval)
              .onBackpressureDrop()
              .concatMap(tick -> store.since(cursor.get(), MAX_LIMIT), 1)
              .doOnNext(change -> cursor.set(change.getSequence()));
        });
  }
}
