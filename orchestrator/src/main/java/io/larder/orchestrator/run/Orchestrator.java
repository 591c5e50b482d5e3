package io.larder.orchestrator.run;

import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.job.JobStore;
import io.larder.orchestrator.registry.RegistryFeed;
import io.larder.proto.core.JobServiceProto.JobStatus;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * Starts the orchestrator's loops once the jobs the store says are running have been looked at:
 * live processes are adopted, ended ones recorded, so a restart never starts twins.
 */
@Component
class Orchestrator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  private final JobStore store;
  private final JobExecutor executor;
  private final JobRunner runner;
  private final StreamSupervisor streams;
  private final ScheduledIngestion schedules;
  private final LayoutMigrations migrations;
  private final RegistryFeed feed;
  private final OrchestratorProperties properties;
  private final AtomicBoolean started = new AtomicBoolean();
  private Disposable recovery;
  private Disposable runnerWakeups;

  Orchestrator(
      JobStore store,
      JobExecutor executor,
      JobRunner runner,
      StreamSupervisor streams,
      ScheduledIngestion schedules,
      LayoutMigrations migrations,
      RegistryFeed feed,
      OrchestratorProperties properties) {
    this.store = store;
    this.executor = executor;
    this.runner = runner;
    this.streams = streams;
    this.schedules = schedules;
    this.migrations = migrations;
    this.feed = feed;
    this.properties = properties;
  }

  @Override
  public void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    recovery =
        store
            .active()
            .filter(job -> job.status() == JobStatus.JOB_STATUS_RUNNING)
            .concatMap(executor::adopt)
            .count()
            // PostgreSQL may still be starting: try again rather than run without the store.
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                    .maxBackoff(Duration.ofSeconds(10))
                    .doBeforeRetry(
                        retry ->
                            log.warn(
                                "cannot read the job store yet ({}); retrying",
                                retry.failure().toString())))
            .subscribe(
                count -> {
                  log.info("recovered {} running job(s); starting the control loops", count);
                  startLoops();
                });
  }

  private void startLoops() {
    feed.start();
    streams.start(feed.changes());
    schedules.start();
    migrations.start();
    runnerWakeups =
        Flux.merge(
                executor.exits().map(job -> "exit"),
                Flux.interval(Duration.ofSeconds(5)).map(tick -> "tick"))
            .subscribe(reason -> runner.wake());
    runner.wake();
  }

  @Override
  public void stop() {
    if (!started.compareAndSet(true, false)) {
      return;
    }
    if (recovery != null) {
      recovery.dispose();
    }
    if (runnerWakeups != null) {
      runnerWakeups.dispose();
    }
    feed.stop();
    schedules.stop();
    migrations.stop();
    streams.stop();
    if (properties.stopJobsOnShutdown()) {
      // Shutdown thread, not an event loop: waiting here is what shutting down means.
      executor.stopAll("the orchestrator shut down").block(properties.stopGrace().plusSeconds(30));
    }
  }

  @Override
  public boolean isRunning() {
    return started.get();
  }
}
