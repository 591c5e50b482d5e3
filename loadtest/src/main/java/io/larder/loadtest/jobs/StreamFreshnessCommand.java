package io.larder.loadtest.jobs;

import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.sdk.cli.DurationConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Stream freshness: registers a table with a JSON Kafka stream source, waits until the stream job
 * the orchestrator starts for it runs its query and a first event is served, warms it up, then
 * produces {@code --events} events at {@code --rate} per second (each its own key, value = its
 * sequence number) while an independent poller asks the gateway for the outstanding keys. Reports
 * produce → served latency percentiles, events never served within {@code --served-timeout}, and
 * the stream job's process memory. At the end it cancels the job, deletes the table and the topic.
 */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = "Measures produce → served freshness through a stream job, and its memory.")
final class StreamFreshnessCommand implements Callable<Integer> {

  /** Warm-up and readiness events use keys above the measured ones, so nothing is mistaken. */
  private static final long WARMUP_KEYS = 100_000_000L;

  private static final long PROBE_KEYS = 200_000_000L;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--table",
      defaultValue = "stream_events",
      description = "Feature table name (default: ${DEFAULT-VALUE}).")
  String table;

  @Option(names = "--topic", required = true, description = "Kafka topic (created if missing).")
  String topic;

  @Option(
      names = "--label",
      defaultValue = "as-configured",
      description =
          "The orchestrator's stream trigger interval, for the report (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(
      names = "--events",
      defaultValue = "1000",
      description = "Measured events (default: ${DEFAULT-VALUE}).")
  int events;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "Events per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--key-base",
      defaultValue = "1000000",
      description = "Measured keys are key-base + sequence number (default: ${DEFAULT-VALUE}).")
  long keyBase;

  @Option(
      names = "--warmup",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Uncounted events at the same rate before measuring, once a first event was served"
              + " (default: ${DEFAULT-VALUE}; 0 = none).")
  Duration warmup;

  @Option(
      names = "--served-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "An event not served this long after it was sent counts as never served"
              + " (default: ${DEFAULT-VALUE}).")
  Duration servedTimeout;

  @Option(
      names = "--poll-interval",
      defaultValue = "20ms",
      converter = DurationConverter.class,
      description = "Time between the poller's lookups (default: ${DEFAULT-VALUE}).")
  Duration pollInterval;

  @Option(
      names = "--poll-rows",
      defaultValue = "1000",
      description = "Most keys asked for in one lookup, oldest first (default: ${DEFAULT-VALUE}).")
  int pollRows;

  @Option(
      names = "--lookup-deadline",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Deadline of each gateway lookup (default: ${DEFAULT-VALUE}).")
  Duration lookupDeadline;

  @Option(
      names = "--ready-timeout",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "Longest wait for the stream job to run and serve a first event (default:"
              + " ${DEFAULT-VALUE}).")
  Duration readyTimeout;

  @Option(names = "--keep", description = "Leave the job, the table and the topic in place.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    if (events < 1 || rate <= 0) {
      throw new IllegalArgumentException("--events and --rate must be positive");
    }
    createTopic();
    String jobId = null;
    try (BenchClients clients = new BenchClients(connection)) {
      try {
        Instant applied = Instant.now();
        clients.registry().applyEntity(BenchTables.entity(connection.project));
        clients
            .registry()
            .applyFeatureTable(
                BenchTables.streamTable(connection.project, table, topic, connection.kafka));
        System.out.printf(
            "registered %s/%s (stream from topic %s); waiting for its stream job%n",
            connection.project, table, topic);
        jobId = awaitStreamJob(clients);
        JobDetails running = awaitQueryRunning(clients, jobId);
        double queryRunningS = BatchLaunchCommand.secondsBetween(applied, Instant.now());
        double createdS =
            BatchLaunchCommand.secondsBetween(
                applied, BatchLaunchCommand.instant(running.getCreatedTime()));
        double launchedS =
            BatchLaunchCommand.entered(running, JobStatus.JOB_STATUS_RUNNING)
                .map(at -> BatchLaunchCommand.secondsBetween(applied, at))
                .orElse(Double.NaN);
        System.out.printf(
            Locale.ROOT,
            "stream job %s (pid %d): created %.2f s, RUNNING %.2f s, query running (progress"
                + " reported) %.2f s after the apply%n",
            jobId,
            running.getPid(),
            createdS,
            launchedS,
            queryRunningS);

        try (EventProducer producer = new EventProducer(connection.kafka, topic);
            ServedPoller poller =
                new ServedPoller(
                    connection.gateway, connection.project, table, lookupDeadline, pollRows)) {
          double firstServedS =
              BatchLaunchCommand.secondsBetween(applied, awaitFirstServed(producer, poller));
          System.out.printf(
              Locale.ROOT, "first event served %.2f s after the apply%n", firstServedS);
          if (!warmup.isZero()) {
            int warmupEvents = (int) Math.max(1, Math.round(warmup.toNanos() / 1e9 * rate));
            System.out.printf(
                Locale.ROOT, "warm-up: %d events at %.0f/s (not counted)%n", warmupEvents, rate);
            FreshnessTracker.Summary warm =
                run(producer, poller, keyBase + WARMUP_KEYS, warmupEvents).tracker().summary();
            System.out.printf(
                Locale.ROOT,
                "warm-up: served %d/%d, p99 %.0f ms%n",
                warm.served(),
                warm.produced(),
                millis(warm.latency().getValueAtPercentile(99)));
          }
          producer.resetStats();
          poller.resetCounts();
          System.out.printf(
              Locale.ROOT, "measuring: %d events at %.0f/s, one key each%n", events, rate);
          Run measured = run(producer, poller, keyBase, events);
          double producedRate = events / measured.producingSeconds();
          FreshnessTracker.Summary summary = measured.tracker().summary();
          EventProducer.Stats stats = producer.stats();

          JobDetails after = clients.details(jobId);
          Optional<ProcMemory> memory = ProcMemory.of(after.getPid());
          Histogram latency = summary.latency();
          System.out.printf(
              Locale.ROOT,
              "produce → served: %d of %d served, %d never (within %s), %d send failures;"
                  + " p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (poll every %d ms,"
                  + " %d lookups, errors %s; send lag p99 %.1f ms, Kafka ack p99 %.1f ms)%n",
              summary.served(),
              summary.produced(),
              summary.neverServed(),
              servedTimeout,
              summary.sendFailed(),
              millis(latency.getValueAtPercentile(50)),
              millis(latency.getValueAtPercentile(90)),
              millis(latency.getValueAtPercentile(99)),
              millis(latency.getMaxValue()),
              pollInterval.toMillis(),
              poller.polls(),
              poller.errors().isEmpty() ? "none" : poller.errors(),
              millis(stats.sendLag().getValueAtPercentile(99)),
              millis(stats.ack().getValueAtPercentile(99)));
          memory.ifPresentOrElse(
              m ->
                  System.out.printf(
                      Locale.ROOT,
                      "stream job %s (pid %d): RSS %.0f MB (peak %.0f MB), -Xmx%s, %d attempt(s),"
                          + " status %s%n",
                      after.getJob().getId(),
                      after.getPid(),
                      m.rssKb() / 1024.0,
                      m.peakRssKb() / 1024.0,
                      m.xmx(),
                      after.getAttempts(),
                      after.getJob().getStatus()),
              () ->
                  System.out.printf(
                      "stream job %s: pid %d not found on this host%n",
                      after.getJob().getId(), after.getPid()));
          new ResultLine("stream_freshness")
              .put("trigger", label)
              .put("job", jobId)
              .put("events", events)
              .put("rate", String.format(Locale.ROOT, "%.0f", rate))
              .put("produced_rate", String.format(Locale.ROOT, "%.1f", producedRate))
              .put("produced", summary.produced())
              .put("served", summary.served())
              .put("never_served", summary.neverServed())
              .put("send_failed", summary.sendFailed())
              .put("served_timeout_s", servedTimeout.toSeconds())
              .millis("p50_ms", millis(latency.getValueAtPercentile(50)))
              .millis("p90_ms", millis(latency.getValueAtPercentile(90)))
              .millis("p99_ms", millis(latency.getValueAtPercentile(99)))
              .millis("max_ms", millis(latency.getMaxValue()))
              .put("poll_ms", pollInterval.toMillis())
              .put("lookups", poller.polls())
              .put("lookup_errors", errors(poller.errors()))
              .millis("send_lag_p99_ms", millis(stats.sendLag().getValueAtPercentile(99)))
              .millis("ack_p99_ms", millis(stats.ack().getValueAtPercentile(99)))
              .seconds("job_created_s", createdS)
              .seconds("job_running_s", launchedS)
              .seconds("query_running_s", queryRunningS)
              .seconds("first_served_s", firstServedS)
              .put("attempts", after.getAttempts())
              .put("pid", after.getPid())
              .put("rss_mb", memory.map(m -> Math.round(m.rssKb() / 1024.0)).orElse(-1L))
              .put("peak_rss_mb", memory.map(m -> Math.round(m.peakRssKb() / 1024.0)).orElse(-1L))
              .put("xmx", memory.map(ProcMemory::xmx).orElse("unknown"))
              .emit(connection.results);
          return summary.served() > 0 ? 0 : 1;
        }
      } finally {
        if (!keep) {
          cleanUp(clients, jobId);
        }
      }
    }
  }

  /** A run's events, and how long producing them took (the rate achieved). */
  private record Run(FreshnessTracker tracker, double producingSeconds) {}

  /** Produces {@code count} events while the poller, on its own thread, looks for them. */
  private Run run(EventProducer producer, ServedPoller poller, long base, int count)
      throws InterruptedException {
    FreshnessTracker tracker = new FreshnessTracker();
    Thread polling =
        new Thread(
            () -> poller.pollUntilDone(tracker, pollInterval, servedTimeout), "served-poller");
    polling.setDaemon(true);
    polling.start();
    long producing = System.nanoTime();
    producer.produce(tracker, base, count, rate);
    double producingSeconds = (System.nanoTime() - producing) / 1e9;
    // Every event is served or given up servedTimeout after its send: the poller ends by then.
    polling.join(servedTimeout.plusSeconds(60).toMillis());
    if (polling.isAlive()) {
      throw new IllegalStateException(
          "the poller did not finish; outstanding " + tracker.outstandingCount());
    }
    return new Run(tracker, producingSeconds);
  }

  /** The orchestrator's stream job for the table (it starts one within seconds of the apply). */
  private String awaitStreamJob(BenchClients clients) throws InterruptedException {
    long until = System.nanoTime() + readyTimeout.toNanos();
    ListJobDetailsRequest request =
        ListJobDetailsRequest.newBuilder()
            .setProject(connection.project)
            .setTableName(table)
            .setType(JobType.STREAM_INGESTION_JOB)
            .build();
    while (System.nanoTime() < until) {
      List<JobDetails> jobs = clients.jobDetails().listJobDetails(request).getJobsList();
      if (!jobs.isEmpty()) {
        return jobs.get(0).getJob().getId();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "no stream job for " + connection.project + "/" + table + " after " + readyTimeout);
  }

  /** Until the job's details carry progress: its query runs (the job reports it on start). */
  private JobDetails awaitQueryRunning(BenchClients clients, String jobId)
      throws InterruptedException {
    long until = System.nanoTime() + readyTimeout.toNanos();
    JobDetails details = clients.details(jobId);
    while (!details.hasProgress()) {
      if (BenchClients.terminal(details.getJob().getStatus())) {
        throw new IllegalStateException("stream job " + jobId + " ended: " + details.getError());
      }
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            "stream job " + jobId + " reported no progress after " + readyTimeout + ": " + details);
      }
      Thread.sleep(100);
      details = clients.details(jobId);
    }
    return details;
  }

  /** One event a second until the gateway serves one; answers when it did. */
  private Instant awaitFirstServed(EventProducer producer, ServedPoller poller)
      throws InterruptedException {
    FreshnessTracker probes = new FreshnessTracker();
    long until = System.nanoTime() + readyTimeout.toNanos();
    long nextProbe = 0;
    for (long probe = 0; System.nanoTime() < until; ) {
      if (System.nanoTime() >= nextProbe) {
        producer.send(probes, keyBase + PROBE_KEYS + probe, probe);
        probe++;
        nextProbe = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      if (poller.pollOnce(probes) > 0) {
        return Instant.now();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "no event served by the gateway within "
            + readyTimeout
            + "; lookup errors: "
            + poller.errors());
  }

  private void createTopic() throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      System.out.printf("created topic %s%n", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private Admin admin() {
    Properties settings = new Properties();
    settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connection.kafka);
    settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(settings);
  }

  /** Cancels the job (CancelJob), then deletes the table and the topic; failures only logged. */
  private void cleanUp(BenchClients clients, String jobId) {
    try {
      if (jobId != null) {
        clients.cancel(jobId);
      }
      clients
          .registry()
          .deleteFeatureTable(
              DeleteFeatureTableRequest.newBuilder()
                  .setProject(connection.project)
                  .setName(table)
                  .build());
      System.out.printf("deleted table %s/%s%n", connection.project, table);
    } catch (RuntimeException e) {
      System.err.printf("clean-up of %s/%s failed: %s%n", connection.project, table, e);
    }
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      System.out.printf("deleted topic %s%n", topic);
    } catch (Exception e) {
      System.err.printf("could not delete topic %s: %s%n", topic, e);
    }
  }

  private static String errors(Map<String, Long> errors) {
    return errors.isEmpty()
        ? "0"
        : errors.entrySet().stream()
            .map(e -> e.getKey() + ":" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
