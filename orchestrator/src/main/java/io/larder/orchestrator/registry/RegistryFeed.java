package io.larder.orchestrator.registry;

import io.grpc.Status;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Tells the control loop when definitions changed: follows the registry's change feed from the last
 * sequence the orchestrator stored (WatchChanges replays what it missed, then streams), and where
 * the registry has no feed (a Feast 0.9 Core answers UNIMPLEMENTED) reads everything on an interval
 * instead. A full resync runs on a longer interval either way.
 */
@Component
public class RegistryFeed {

  static final String SEQUENCE_KEY = "registry.last_sequence";
  private static final Logger log = LoggerFactory.getLogger(RegistryFeed.class);

  private final RegistryClient registry;
  private final TableDefinitions definitions;
  private final JobStore store;
  private final OrchestratorProperties.Registry settings;
  private final Sinks.Many<String> changed = Sinks.many().multicast().directBestEffort();
  private final Disposable.Composite running = Disposables.composite();

  RegistryFeed(
      RegistryClient registry,
      TableDefinitions definitions,
      JobStore store,
      OrchestratorProperties properties) {
    this.registry = registry;
    this.definitions = definitions;
    this.store = store;
    this.settings = properties.registry();
  }

  /** Fires (with a reason) whenever definitions may have changed. */
  public Flux<String> changes() {
    return changed.asFlux();
  }

  public void start() {
    running.add(
        Flux.interval(settings.resyncInterval(), settings.resyncInterval())
            .subscribe(tick -> resync("periodic resync")));
    running.add(
        registry
            .latestSequence()
            .flatMap(
                latest ->
                    store
                        .state(SEQUENCE_KEY)
                        .map(Long::parseLong)
                        .onErrorResume(error -> Mono.empty())
                        .defaultIfEmpty(latest))
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                    .maxBackoff(Duration.ofSeconds(10))
                    .filter(error -> !unimplemented(error)))
            .subscribe(
                this::follow,
                error -> {
                  if (unimplemented(error)) {
                    log.info(
                        "the registry at {} has no change feed (a Feast 0.9 Core?); reading all of"
                            + " it every {}",
                        registry.target(),
                        settings.pollInterval());
                    running.add(
                        Flux.interval(settings.pollInterval(), settings.pollInterval())
                            .subscribe(tick -> resync("poll")));
                  } else {
                    log.error("registry change feed stopped", error);
                  }
                }));
  }

  private void follow(long since) {
    log.info(
        "following the registry's change feed at {} after sequence {}", registry.target(), since);
    running.add(
        Flux.defer(() -> registry.watch(lastSeen(since)))
            .doOnNext(
                change -> {
                  definitions.markDirty(change.getProject());
                  lastSeen = change.getSequence();
                  emit("change " + change.getSequence());
                })
            .concatMap(
                change ->
                    store
                        .putState(SEQUENCE_KEY, Long.toString(change.getSequence()))
                        .onErrorResume(error -> Mono.empty()))
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                    .maxBackoff(Duration.ofSeconds(10))
                    .doBeforeRetry(
                        retry -> {
                          log.warn(
                              "registry change feed interrupted ({}); reconnecting",
                              retry.failure().toString());
                          // Whatever happened while disconnected is caught by a full read.
                          resync("feed reconnect");
                        }))
            .subscribe());
  }

  private volatile long lastSeen = -1;

  private long lastSeen(long since) {
    return lastSeen < 0 ? since : lastSeen;
  }

  private void resync(String reason) {
    definitions.markAll();
    emit(reason);
  }

  private void emit(String reason) {
    synchronized (changed) {
      changed.tryEmitNext(reason);
    }
  }

  private static boolean unimplemented(Throwable error) {
    return Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED;
  }

  public void stop() {
    running.dispose();
  }
}
