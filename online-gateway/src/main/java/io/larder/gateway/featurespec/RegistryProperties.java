package io.larder.gateway.featurespec;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the gateway reads feature specs from ({@code larder.registry.*}; env {@code
 * LARDER_REGISTRY_TARGET} etc. by relaxed binding).
 *
 * @param target the registry's gRPC address, host:port or any gRPC target URI
 * @param refreshInterval full reload besides the change feed; catches anything the feed missed (0
 *     turns it off)
 * @param startupTimeout how long start-up waits for the first load before the servers start anyway
 *     (readiness then stays DOWN and requests answer UNAVAILABLE until a load succeeds)
 * @param callTimeout deadline of each registry call
 * @param retryBackoff first delay before retrying a failed load or a broken change feed
 * @param maxRetryBackoff longest delay between retries
 * @param token the gateway's own bearer token for the registry, when authentication is on (it needs
 *     reader on every project: {@code reader:*})
 */
@ConfigurationProperties("larder.registry")
public record RegistryProperties(
    @DefaultValue("localhost:6565") String target,
    @DefaultValue("30s") Duration refreshInterval,
    @DefaultValue("30s") Duration startupTimeout,
    @DefaultValue("10s") Duration callTimeout,
    @DefaultValue("500ms") Duration retryBackoff,
    @DefaultValue("30s") Duration maxRetryBackoff,
    String token) {

  // The token is a credential: never in a log line or an actuator answer.
  @Override
  public String toString() {
    return "RegistryProperties[target=%s, refreshInterval=%s, startupTimeout=%s, callTimeout=%s, retryBackoff=%s, maxRetryBackoff=%s, token=%s]"
        .formatted(
            target,
            refreshInterval,
            startupTimeout,
            callTimeout,
            retryBackoff,
            maxRetryBackoff,
            token == null ? null : "(hidden)");
  }
}
