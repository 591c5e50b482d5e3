package io.larder.gateway.featurespec;

import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health {@code featureSpecs}: DOWN until the first snapshot is loaded (nothing can be served),
 * then UP even while the registry is unreachable, since the gateway serves from the last snapshot;
 * the details say since when it has been failing. Include it in the readiness group.
 */
public final class FeatureSpecsHealthIndicator implements HealthIndicator {

  private final RegistrySpecCache cache;

  FeatureSpecsHealthIndicator(RegistrySpecCache cache) {
    this.cache = cache;
  }

  @Override
  public Health health() {
    Health.Builder health = cache.loaded() ? Health.up() : Health.down();
    health.withDetail("registry", cache.registryTarget());
    if (cache.loaded()) {
      FeatureSpecSnapshot snapshot = cache.current();
      health
          .withDetail("projects", snapshot.projects().size())
          .withDetail("tables", snapshot.tableCount())
          .withDetail("loadedAt", String.valueOf(cache.loadedAt()));
    }
    Instant failingSince = cache.failingSince();
    if (failingSince != null) {
      health
          .withDetail("registryFailingSince", failingSince.toString())
          .withDetail("lastFailure", String.valueOf(cache.lastFailure()));
    }
    return health.build();
  }
}
