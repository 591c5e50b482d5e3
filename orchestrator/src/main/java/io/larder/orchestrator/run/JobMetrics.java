package io.larder.orchestrator.run;

import io.larder.orchestrator.job.JobRow;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/** The orchestrator's job metrics, at /actuator/prometheus. */
@Component
class JobMetrics {

  private final MeterRegistry meters;
  private final Map<String, AtomicLong> active = new ConcurrentHashMap<>();

  JobMetrics(MeterRegistry meters) {
    this.meters = meters;
    for (JobType type :
        List.of(JobType.BATCH_INGESTION_JOB, JobType.STREAM_INGESTION_JOB, JobType.RETRIEVAL_JOB)) {
      for (JobStatus status : List.of(JobStatus.JOB_STATUS_PENDING, JobStatus.JOB_STATUS_RUNNING)) {
        AtomicLong count = new AtomicLong();
        active.put(key(type, status), count);
        Gauge.builder("larder.orchestrator.jobs.active", count, AtomicLong::get)
            .description("Jobs PENDING or RUNNING, by type and status")
            .tag("type", name(type))
            .tag("status", name(status))
            .register(meters);
      }
    }
  }

  /** Counts of the active jobs, from a fresh read of the store. */
  void activeJobs(List<JobRow> jobs) {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (JobRow job : jobs) {
      counts.merge(key(job.type(), job.status()), 1L, Long::sum);
    }
    active.forEach((key, count) -> count.set(counts.getOrDefault(key, 0L)));
  }

  void launched(JobRow job) {
    counter("larder.orchestrator.job.launches", job.type()).increment();
    if (job.attempts() <= 1 && job.createdAt() != null) {
      Timer.builder("larder.orchestrator.job.start.latency")
          .description("From the request (or the control loop's decision) to the process running")
          .tag("type", name(job.type()))
          .publishPercentileHistogram()
          .register(meters)
          .record(Duration.between(job.createdAt(), Instant.now()));
    }
  }

  void ended(JobRow job) {
    Counter.builder("larder.orchestrator.jobs.ended")
        .description("Jobs that ended, by type and final status")
        .tag("type", name(job.type()))
        .tag("status", name(job.status()))
        .register(meters)
        .increment();
    if (job.status() == JobStatus.JOB_STATUS_ERROR) {
      counter("larder.orchestrator.job.failures", job.type()).increment();
    }
  }

  void streamRestartScheduled() {
    Counter.builder("larder.orchestrator.stream.restarts")
        .description("Stream jobs that died and were scheduled for a restart")
        .register(meters)
        .increment();
  }

  private Counter counter(String name, JobType type) {
    return Counter.builder(name).tag("type", name(type)).register(meters);
  }

  private static String key(JobType type, JobStatus status) {
    return type.name() + "/" + status.name();
  }

  private static String name(JobType type) {
    return switch (type) {
      case BATCH_INGESTION_JOB -> "batch_ingestion";
      case STREAM_INGESTION_JOB -> "stream_ingestion";
      case RETRIEVAL_JOB -> "retrieval";
      default -> "invalid";
    };
  }

  private static String name(JobStatus status) {
    return status.name().substring("JOB_STATUS_".length()).toLowerCase(java.util.Locale.ROOT);
  }
}
