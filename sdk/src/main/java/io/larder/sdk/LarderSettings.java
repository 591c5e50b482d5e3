package io.larder.sdk;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the services are and how to call them.
 *
 * @param registry registry (Feast Core) gRPC target, e.g. {@code localhost:6565}
 * @param jobService job service (orchestrator) gRPC target, e.g. {@code localhost:6568}
 * @param serving online gateway gRPC target, e.g. {@code localhost:6566}
 * @param deadline deadline of each call
 * @param retries how often a read that found a service unavailable is tried again (writes never)
 * @param tls TLS on every channel (the JVM's trust store, or {@code trustCertificates})
 * @param trustCertificates PEM file of the CAs to trust, or null
 * @param token bearer token sent with every call, or null
 * @param stagingDir where entity rows held in memory are written for a retrieval job to read; must
 *     be readable by the job (a shared or local file system)
 */
public record LarderSettings(
    String registry,
    String jobService,
    String serving,
    Duration deadline,
    int retries,
    boolean tls,
    Path trustCertificates,
    String token,
    Path stagingDir) {

  public LarderSettings {
    if (deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative, got " + retries);
    }
  }

  /** Defaults: env LARDER_REGISTRY, LARDER_JOB_SERVICE, LARDER_SERVING, else the local ports. */
  public static LarderSettings defaults() {
    return new LarderSettings(
        env("LARDER_REGISTRY", "localhost:6565"),
        env("LARDER_JOB_SERVICE", "localhost:6568"),
        env("LARDER_SERVING", "localhost:6566"),
        Duration.ofSeconds(10),
        2,
        false,
        null,
        System.getenv("LARDER_TOKEN"),
        Path.of(System.getProperty("java.io.tmpdir"), "larder-staging"));
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  public LarderSettings withRegistry(String target) {
    return new LarderSettings(
        target, jobService, serving, deadline, retries, tls, trustCertificates, token, stagingDir);
  }

  public LarderSettings withJobService(String target) {
    return new LarderSettings(
        registry, target, serving, deadline, retries, tls, trustCertificates, token, stagingDir);
  }

  public LarderSettings withServing(String target) {
    return new LarderSettings(
        registry, jobService, target, deadline, retries, tls, trustCertificates, token, stagingDir);
  }

  public LarderSettings withDeadline(Duration value) {
    return new LarderSettings(
        registry, jobService, serving, value, retries, tls, trustCertificates, token, stagingDir);
  }

  public LarderSettings withRetries(int value) {
    return new LarderSettings(
        registry, jobService, serving, deadline, value, tls, trustCertificates, token, stagingDir);
  }

  public LarderSettings withTls(boolean value, Path trust) {
    return new LarderSettings(
        registry, jobService, serving, deadline, retries, value, trust, token, stagingDir);
  }

  public LarderSettings withToken(String value) {
    return new LarderSettings(
        registry,
        jobService,
        serving,
        deadline,
        retries,
        tls,
        trustCertificates,
        value,
        stagingDir);
  }

  public LarderSettings withStagingDir(Path value) {
    return new LarderSettings(
        registry, jobService, serving, deadline, retries, tls, trustCertificates, token, value);
  }
}
