package io.larder.gateway.featurespec;

import io.larder.proto.larder.RegistryExtProto.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The feature specs of every project, loaded from the registry before the servers start and kept
 * fresh by the registry's change feed (reloading only the changed projects) plus a periodic full
 * reload. Requests only read the latest immutable snapshot; every update runs on one serialized
 * pipeline and swaps the snapshot in whole. When the registry is down the last snapshot stays.
 */
public final class RegistrySpecCache implements FeatureSpecs, SmartLifecycle {

  /**
   * Before the web server (Boot's phase {@code Integer.MAX_VALUE - 2048}) and the gRPC server
   * (default phase) start, so neither accepts a request before the first load.
   */
  static final int PHASE = Integer.MAX_VALUE - 4096;

  private static final Logger log = LoggerFactory.getLogger(RegistrySpecCache.class);

  private final RegistryClient registry;
  private final RegistryProperties properties;

  // Work waiting for the update pipeline; set by any thread, drained only by the pipeline.
  private final AtomicBoolean fullReloadWanted = new AtomicBoolean();
  private final Set<String> dirtyProjects = ConcurrentHashMap.newKeySet();
  private final CountDownLatch firstLoad = new CountDownLatch(1);
  private final Disposable.Swap retryTimer = Disposables.swap();

  private volatile FeatureSpecSnapshot snapshot;
  private volatile Instant loadedAt;
  private volatile Instant failingSince;
  private volatile String lastFailure;
  private volatile long lastSequence = -1;
  private volatile boolean watchFailing;
  // The registry answered UNIMPLEMENTED for the feed (a Feast 0.9 Core): the periodic reload alone.
  private volatile boolean feedUnsupported;
  private volatile Sinks.Many<Boolean> wakeups;
  private volatile Disposable.Composite running;
  // Only touched by the serialized update pipeline.
  private int consecutiveFailures;

  RegistrySpecCache(RegistryClient registry, RegistryProperties properties) {
    this.registry = registry;
    this.properties = properties;
  }

  @Override
  public FeatureSpecSnapshot current() {
    FeatureSpecSnapshot current = snapshot;
    if (current == null) {
      throw new FeatureSpecsNotLoadedException(
          "feature specs are not loaded yet from the registry at " + registry.target());
    }
    return current;
  }

  /** Whether a snapshot has been loaded, i.e. requests can be answered. */
  public boolean loaded() {
    return snapshot != null;
  }

  /** When the current snapshot was loaded; null before the first load. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /** Since when loads have been failing; null while the registry answers. */
  public Instant failingSince() {
    return failingSince;
  }

  /** The last load failure's message; null while the registry answers. */
  public String lastFailure() {
    return lastFailure;
  }

  public String registryTarget() {
    return registry.target();
  }

  @Override
  public synchronized void start() {
    if (running != null) {
      return;
    }
    Sinks.Many<Boolean> sink = Sinks.many().unicast().onBackpressureBuffer();
    wakeups = sink;
    Disposable.Composite tasks = Disposables.composite();
    // One update at a time; wake-ups arriving meanwhile collapse into one more pass.
    tasks.add(
        sink.asFlux()
            .onBackpressureLatest()
            .concatMap(ignored -> applyPendingWork(), 1)
            .subscribe(null, error -> log.error("feature spec update pipeline stopped", error)));
    Duration interval = properties.refreshInterval();
    if (!interval.isZero() && !interval.isNegative()) {
      tasks.add(Flux.interval(interval, interval).subscribe(tick -> requestFullReload()));
    }
    if (snapshot != null) {
      // Started again after a stop: the feed resumes where it was.
      tasks.add(watchChanges().subscribe());
    }
    running = tasks;
    requestFullReload();
    awaitFirstLoad();
  }

  private void awaitFirstLoad() {
    Duration timeout = properties.startupTimeout();
    boolean loadedInTime;
    try {
      // Start-up on the main thread, not a request path: waiting here keeps the servers closed.
      loadedInTime = firstLoad.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      loadedInTime = false;
    }
    if (!loadedInTime) {
      log.error(
          "NO FEATURE SPECS: the registry at {} did not answer within {} ({}). Starting anyway:"
              + " every lookup answers UNAVAILABLE and readiness stays DOWN until a load succeeds;"
              + " retrying in the background. Check larder.registry.target.",
          registry.target(),
          timeout,
          lastFailure == null ? "no answer yet" : lastFailure);
    }
  }

  @Override
  public synchronized void stop() {
    Disposable.Composite tasks = running;
    if (tasks == null) {
      return;
    }
    tasks.dispose();
    retryTimer.update(null);
    running = null;
  }

  @Override
  public boolean isRunning() {
    return running != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  void requestFullReload() {
    fullReloadWanted.set(true);
    wake();
  }

  private void projectChanged(String project) {
    dirtyProjects.add(project);
    wake();
  }

  private void wake() {
    Sinks.Many<Boolean> sink = wakeups;
    if (sink != null && running != null) {
      // Timer, change feed and retries may emit at once; the sink needs them serialized.
      sink.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
  }

  /** One pass of the update pipeline: a full reload if wanted, else the changed projects. */
  private Mono<Void> applyPendingWork() {
    return Mono.defer(
            () -> {
              FeatureSpecSnapshot base = snapshot;
              if (fullReloadWanted.getAndSet(false) || (base == null && !dirtyProjects.isEmpty())) {
                // What changed before this load starts is in it; later changes stay queued.
                dirtyProjects.clear();
                long started = System.nanoTime();
                return sequenceBeforeFirstLoad()
                    .flatMap(
                        sequence ->
                            registry
                                .loadAll()
                                .doOnNext(
                                    loaded -> {
                                      if (lastSequence < 0 && sequence >= 0) {
                                        lastSequence = sequence;
                                      }
                                      publish(loaded, "full reload", started);
                                    }))
                    .then()
                    .onErrorResume(
                        error -> {
                          fullReloadWanted.set(true);
                          return failed(error);
                        });
              }
              if (dirtyProjects.isEmpty()) {
                return Mono.empty();
              }
              List<String> projects = new ArrayList<>(dirtyProjects);
              dirtyProjects.removeAll(projects);
              long started = System.nanoTime();
              return reloadProjects(base, projects)
                  .doOnNext(loaded -> publish(loaded, "reload of " + projects, started))
                  .then()
                  .onErrorResume(
                      error -> {
                        dirtyProjects.addAll(projects);
                        return failed(error);
                      });
            })
        // The pipeline must outlive any surprise, or the cache would silently freeze.
        .onErrorResume(
            unexpected -> {
              log.error("feature spec update failed unexpectedly", unexpected);
              return Mono.empty();
            });
  }

  /**
   * Until the change feed has a position, a full load first notes the newest change sequence, so
   * the feed can start right after what the load saw. -1 when unknown (e.g. a registry without the
   * change feed); the feed then finds its position itself.
   */
  private Mono<Long> sequenceBeforeFirstLoad() {
    if (lastSequence >= 0 || feedUnsupported) {
      return Mono.just(-1L);
    }
    return registry.latestSequence().onErrorReturn(-1L);
  }

  private Mono<FeatureSpecSnapshot> reloadProjects(
      FeatureSpecSnapshot base, List<String> projects) {
    return registry
        .listProjects()
        .flatMap(
            existing -> {
              Set<String> live = new HashSet<>(existing);
              List<String> reload = new ArrayList<>();
              Set<String> gone = new HashSet<>();
              for (String project : projects) {
                if (live.contains(project)) {
                  reload.add(project);
                } else {
                  gone.add(project);
                }
              }
              return Flux.fromIterable(reload)
                  .flatMap(registry::loadProject)
                  .collectList()
                  .map(
                      updated -> {
                        // Listed, but archived before its tables were read.
                        Set<String> found = new HashSet<>();
                        updated.forEach(project -> found.add(project.name()));
                        reload.stream().filter(p -> !found.contains(p)).forEach(gone::add);
                        return base.with(updated, gone);
                      });
            });
  }

  private void publish(FeatureSpecSnapshot loaded, String what, long startedNanos) {
    boolean first = snapshot == null;
    snapshot = loaded;
    loadedAt = Instant.now();
    consecutiveFailures = 0;
    retryTimer.update(null);
    if (failingSince != null) {
      log.info(
          "registry at {} answers again (failing since {}); feature specs current",
          registry.target(),
          failingSince);
    }
    failingSince = null;
    lastFailure = null;
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    if (first) {
      log.info(
          "feature specs loaded from the registry at {}: {} projects, {} tables in {} ms",
          registry.target(),
          loaded.projects().size(),
          loaded.tableCount(),
          millis);
      firstLoad.countDown();
      // Started only now, so it resumes from the sequence the first load saw instead of asking
      // for a second full load.
      Disposable.Composite tasks = running;
      if (tasks != null) {
        tasks.add(watchChanges().subscribe());
      }
    } else if (what.startsWith("full")) {
      log.debug("feature specs reloaded: {} tables in {} ms", loaded.tableCount(), millis);
    } else {
      log.info("feature specs updated after registry changes: {} in {} ms", what, millis);
    }
  }

  private Mono<Void> failed(Throwable error) {
    consecutiveFailures++;
    lastFailure = String.valueOf(error.getMessage());
    if (failingSince == null) {
      failingSince = Instant.now();
      if (snapshot == null) {
        log.warn(
            "cannot load feature specs from the registry at {}: {}; retrying",
            registry.target(),
            lastFailure);
      } else {
        log.warn(
            "cannot refresh feature specs from the registry at {}: {}; serving the snapshot"
                + " loaded at {} and retrying",
            registry.target(),
            lastFailure,
            loadedAt);
      }
    } else {
      log.debug("feature spec load failed again ({} in a row)", consecutiveFailures, error);
    }
    Duration delay = retryDelay(consecutiveFailures);
    retryTimer.update(Mono.delay(delay).subscribe(tick -> wake()));
    return Mono.empty();
  }

  private Duration retryDelay(int failures) {
    Duration delay = properties.retryBackoff();
    for (int i = 1; i < failures && delay.compareTo(properties.maxRetryBackoff()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(properties.maxRetryBackoff()) > 0 ? properties.maxRetryBackoff() : delay;
  }

  /**
   * The change feed, resumed after the last change seen. Each (re)connection first asks for the
   * newest sequence, which also proves the registry answers; without a known position (the first
   * load could not note one) it then reloads everything, so nothing between that load and the
   * feed's start is missed.
   */
  private Flux<Change> watchChanges() {
    return Flux.defer(
            () ->
                registry
                    .latestSequence()
                    .flatMapMany(
                        latest -> {
                          if (watchFailing) {
                            watchFailing = false;
                            log.info("registry change feed at {} reconnected", registry.target());
                          }
                          long since = lastSequence;
                          if (since < 0) {
                            since = latest;
                            lastSequence = latest;
                            requestFullReload();
                          }
                          return registry.watch(since);
                        })
                    .concatWith(
                        Flux.error(
                            () -> new IllegalStateException("the registry ended the change feed"))))
        .doOnNext(
            change -> {
              lastSequence = change.getSequence();
              projectChanged(change.getProject().isEmpty() ? "default" : change.getProject());
            })
        .retryWhen(
            Retry.backoff(Long.MAX_VALUE, properties.retryBackoff())
                .maxBackoff(properties.maxRetryBackoff())
                .transientErrors(true)
                .filter(error -> !unimplemented(error))
                .doBeforeRetry(
                    signal -> {
                      if (!watchFailing) {
                        watchFailing = true;
                        log.warn(
                            "registry change feed at {} broke: {}; reconnecting with backoff"
                                + " (the {} full reload keeps specs fresh meanwhile)",
                            registry.target(),
                            signal.failure().getMessage(),
                            properties.refreshInterval());
                      } else {
                        log.debug("registry change feed still down", signal.failure());
                      }
                    }))
        .onErrorResume(
            RegistrySpecCache::unimplemented,
            error -> {
              feedUnsupported = true;
              log.info(
                  "registry at {} has no change feed (UNIMPLEMENTED, e.g. a Feast 0.9 Core);"
                      + " specs stay fresh by the {} full reload alone",
                  registry.target(),
                  properties.refreshInterval());
              return Flux.empty();
            });
  }

  private static boolean unimplemented(Throwable error) {
    return io.grpc.Status.fromThrowable(error).getCode() == io.grpc.Status.Code.UNIMPLEMENTED;
  }

  /** The registry has no change feed; only the periodic reload updates the specs. */
  boolean feedUnsupported() {
    return feedUnsupported;
  }
}
