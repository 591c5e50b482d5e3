package io.larder.orchestrator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The orchestrator's settings ({@code larder.orchestrator.*}); every one has an env variable in
 * application.yaml.
 *
 * @param home where job directories (spec, result, progress, log), stream checkpoints and dead
 *     letters live
 * @param offlineStore root of the offline store stream jobs append to ({@code
 *     <root>/<project>/<table>/stream_job=<id>/<date>/batch_id=<n>})
 * @param jobs where the built Spark jobs are (the ingestion-jobs module's target directory)
 * @param redis the online store the ingestion jobs write
 * @param spark how jobs are run
 * @param maxConcurrent batch and retrieval jobs running at once; the rest wait PENDING, in order
 * @param stopGrace how long a stopped job may take after TERM before it is killed
 * @param stopJobsOnShutdown stop every running job when the orchestrator stops (off: a restarted
 *     orchestrator adopts them)
 * @param stream stream-job supervision
 * @param registry the registry the control loop follows
 * @param scheduleCheckInterval how often table schedules are checked
 * @param layoutMigration how tables move between online layouts
 */
@ConfigurationProperties("larder.orchestrator")
public record OrchestratorProperties(
    @DefaultValue("larder-orchestrator") Path home,
    Path offlineStore,
    @DefaultValue Jobs jobs,
    @DefaultValue Redis redis,
    @DefaultValue Spark spark,
    @DefaultValue("2") int maxConcurrent,
    @DefaultValue("10s") Duration stopGrace,
    @DefaultValue("false") boolean stopJobsOnShutdown,
    @DefaultValue Stream stream,
    @DefaultValue Registry registry,
    @DefaultValue("10s") Duration scheduleCheckInterval,
    @DefaultValue LayoutMigration layoutMigration) {

  /** The offline store root: {@code offlineStore}, else {@code <home>/offline}. */
  public Path offlineStoreRoot() {
    return (offlineStore == null || offlineStore.toString().isEmpty()
            ? home.resolve("offline")
            : offlineStore)
        .toAbsolutePath();
  }

  public Path homeDir() {
    return home.toAbsolutePath();
  }

  /**
   * @param home the ingestion-jobs build: {@code larder-ingestion-jobs-*.jar}, {@code
   *     runtime-classpath.txt} and {@code launch/spark-jvm-args.txt}
   * @param java the java executable (default: this JVM's)
   * @param javaOptions extra JVM options for every job, e.g. -Xmx2g
   */
  public record Jobs(
      @DefaultValue("ingestion-jobs/target") Path home, String java, List<String> javaOptions) {
    public Jobs {
      // One option per entry; an entry may also hold several separated by spaces (as env).
      javaOptions =
          javaOptions == null
              ? List.of()
              : javaOptions.stream()
                  .flatMap(option -> Arrays.stream(option.trim().split("\\s+")))
                  .filter(option -> !option.isEmpty())
                  .toList();
    }
  }

  /**
   * Where the jobs write. Only the password's file reaches a job spec (and so the job store and the
   * Spark command line); the jobs read the password where they connect.
   *
   * @param uri redis://host:port (rediss:// for TLS), or comma-separated host:port seeds with
   *     cluster; must not hold a password
   * @param cluster whether the online store is a Redis Cluster
   * @param username ACL user the jobs authenticate as (empty: default)
   * @param passwordFile file with that user's password, readable where the jobs run
   * @param tls connect with TLS
   * @param tlsCaFile PEM certificate(s) to trust (empty: the JVM's trust store)
   */
  public record Redis(
      @DefaultValue("redis://127.0.0.1:6379") String uri,
      @DefaultValue("false") boolean cluster,
      @DefaultValue("") String username,
      @DefaultValue("") String passwordFile,
      @DefaultValue("false") boolean tls,
      @DefaultValue("") String tlsCaFile) {

    public Redis {
      // A password in the URI would be copied into every job spec, the job store and ps output.
      if (uri.matches("(?s).*://[^/@]*@.*")) {
        throw new IllegalArgumentException(
            "larder.orchestrator.redis.uri must not hold credentials: set"
                + " larder.orchestrator.redis.username and password-file instead");
      }
      if (!username.isEmpty() && passwordFile.isEmpty()) {
        throw new IllegalArgumentException(
            "larder.orchestrator.redis.username is set without password-file");
      }
    }
  }

  /**
   * @param master Spark master URL for every job (local[*], spark://host:7077, ...)
   * @param conf extra Spark settings for every job
   */
  public record Spark(@DefaultValue("local[*]") String master, Map<String, String> conf) {
    public Spark {
      conf = conf == null ? Map.of() : Map.copyOf(conf);
    }
  }

  /**
   * @param triggerInterval micro-batch interval; 0 = as fast as data arrives (freshest, most Redis
   *     writes)
   * @param restartBackoff delay before the first restart of a stream job that died; doubles per
   *     death
   * @param maxRestartBackoff cap of that delay
   * @param maxDeaths deaths within {@code deathWindow} after which the job stays ERROR
   * @param deathWindow see maxDeaths
   * @param reconcileInterval how often the control loop looks again without being told
   */
  public record Stream(
      @DefaultValue("0s") Duration triggerInterval,
      @DefaultValue("1s") Duration restartBackoff,
      @DefaultValue("60s") Duration maxRestartBackoff,
      @DefaultValue("5") int maxDeaths,
      @DefaultValue("10m") Duration deathWindow,
      @DefaultValue("2s") Duration reconcileInterval) {}

  /**
   * @param target host:port of the registry's gRPC API
   * @param callTimeout deadline of each registry call
   * @param pollInterval how often the whole registry is read when it has no change feed (a Feast
   *     0.9 Core)
   * @param resyncInterval how often the whole registry is read even with a feed
   */
  public record Registry(
      @DefaultValue("localhost:6565") String target,
      @DefaultValue("5s") Duration callTimeout,
      @DefaultValue("10s") Duration pollInterval,
      @DefaultValue("60s") Duration resyncInterval,
      String token) {

    // The token is a credential: never in a log line or an actuator answer.
    @Override
    public String toString() {
      return "Registry[target=%s, callTimeout=%s, pollInterval=%s, resyncInterval=%s, token=%s]"
          .formatted(
              target, callTimeout, pollInterval, resyncInterval, token == null ? null : "(hidden)");
    }
  }

  /**
   * @param checkInterval how often running migrations are looked at (their progress, whether the
   *     switch can go on)
   * @param switchGrace how long after the registry names the new layout the old one's rows stay, so
   *     gateways that have not heard of the switch yet still find them
   */
  public record LayoutMigration(
      @DefaultValue("1s") Duration checkInterval, @DefaultValue("5s") Duration switchGrace) {}
}
