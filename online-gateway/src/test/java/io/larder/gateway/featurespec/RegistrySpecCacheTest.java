package io.larder.gateway.featurespec;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.larder.gateway.support.FakeRegistry;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** The spec cache against a real gRPC registry (a fake one on a free port). */
class RegistrySpecCacheTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);
  private static final FeatureTableSpec STATS =
      table("driver_stats").entities("driver_id").feature("trips", ValueType.Enum.INT64).build();
  private static final FeatureTableSpec PROFILE =
      table("driver_profile").entities("driver_id").feature("age", ValueType.Enum.INT32).build();

  private final FakeRegistry registry = FakeRegistry.started();
  private RegistryClient client;
  private RegistrySpecCache cache;

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.stop();
    }
    if (client != null) {
      client.close();
    }
    registry.stop();
  }

  /** A cache whose only source of updates, besides start-up, is the change feed. */
  private RegistrySpecCache cache(
      String target, Duration refreshInterval, Duration startupTimeout) {
    client = new RegistryClient(target, Duration.ofSeconds(2));
    cache =
        new RegistrySpecCache(
            client,
            new RegistryProperties(
                target,
                refreshInterval,
                startupTimeout,
                Duration.ofSeconds(2),
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                null));
    return cache;
  }

  private RegistrySpecCache cacheOnTheRegistry() {
    return cache(registry.target(), Duration.ofHours(1), WAIT);
  }

  @Test
  void startLoadsEveryProjectBeforeItReturns() {
    registry.setTables("p", List.of(STATS, PROFILE), List.of(DRIVER));
    registry.setTables("q", List.of(STATS), List.of(DRIVER));

    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();

    assertThat(specs.loaded()).isTrue();
    FeatureSpecSnapshot snapshot = specs.current();
    assertThat(snapshot.projects())
        .extracting(ProjectSpec::name)
        .containsExactlyInAnyOrder("default", "p", "q");
    assertThat(snapshot.project("p").table("driver_profile").feature("age").reference())
        .isEqualTo("driver_profile:age");
    assertThat(snapshot.project("p").entity("driver_id")).isEqualTo(DRIVER);
    assertThat(new FeatureSpecsHealthIndicator(specs).health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void aChangeFromTheFeedReloadsItsProject() {
    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();
    FeatureSpecSnapshot before = specs.current();
    int listCallsBefore = registry.listFeatureTablesCalls();

    registry.setTables("p", List.of(STATS, PROFILE), List.of(DRIVER));

    await().atMost(WAIT).until(() -> specs.current().project("p").table("driver_profile") != null);
    // The snapshot a request already holds never changes under it.
    assertThat(before.project("p").table("driver_profile")).isNull();
    // Only the changed project was listed again, not every project.
    assertThat(registry.listFeatureTablesCalls() - listCallsBefore).isLessThanOrEqualTo(2);
  }

  @Test
  void theFeedAddsNewProjectsAndDropsArchivedOnes() {
    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();

    registry.setTables("fresh", List.of(PROFILE), List.of(DRIVER));
    registry.archiveProject("p");

    await()
        .atMost(WAIT)
        .until(
            () -> specs.current().project("fresh") != null && specs.current().project("p") == null);
  }

  @Test
  void whenTheRegistryGoesAwayTheSnapshotStaysAndUpdatesResumeWhenItIsBack() {
    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();
    FeatureSpecSnapshot loaded = specs.current();

    registry.stop();
    specs.requestFullReload();

    await().atMost(WAIT).until(() -> specs.failingSince() != null);
    assertThat(specs.current()).isSameAs(loaded);
    assertThat(specs.current().project("p").table("driver_stats")).isNotNull();
    FeatureSpecsHealthIndicator health = new FeatureSpecsHealthIndicator(specs);
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getDetails()).containsKey("registryFailingSince");

    // Changed while the gateway could not see it: the resumed feed replays it.
    registry.setTables("p", List.of(STATS, PROFILE), List.of(DRIVER));
    registry.restart();

    await().atMost(WAIT).until(() -> specs.current().project("p").table("driver_profile") != null);
    await().atMost(WAIT).until(() -> specs.failingSince() == null);
  }

  @Test
  void withoutARegistryStartGivesUpAfterItsTimeoutAndLoadsOnceTheRegistryAppears() {
    int port = registry.port();
    registry.stop();
    RegistrySpecCache specs =
        cache("127.0.0.1:" + port, Duration.ofHours(1), Duration.ofMillis(300));

    long started = System.nanoTime();
    specs.start();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(specs.loaded()).isFalse();
    assertThatThrownBy(specs::current)
        .isInstanceOf(FeatureSpecsNotLoadedException.class)
        .hasMessageContaining("127.0.0.1:" + port);
    assertThat(new FeatureSpecsHealthIndicator(specs).health().getStatus()).isEqualTo(Status.DOWN);

    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    registry.restart();

    await().atMost(WAIT).until(specs::loaded);
    assertThat(specs.current().project("p").table("driver_stats")).isNotNull();
    assertThat(new FeatureSpecsHealthIndicator(specs).health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void withoutAChangeFeedThePeriodicReloadKeepsSpecsFresh() {
    registry.changeFeed(false);
    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    RegistrySpecCache specs = cache(registry.target(), Duration.ofMillis(200), WAIT);
    specs.start();
    assertThat(specs.current().project("p")).isNotNull();

    registry.setTables("p", List.of(STATS, PROFILE), List.of(DRIVER));

    await().atMost(WAIT).until(() -> specs.current().project("p").table("driver_profile") != null);
  }

  @Test
  void aRegistryWithoutTheFeedIsAskedOnceNotForever() throws InterruptedException {
    registry.changeFeed(false);
    registry.setTables("p", List.of(STATS), List.of(DRIVER));
    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();

    await().atMost(WAIT).until(specs::feedUnsupported);
    int calls = registry.listChangesCalls();
    // Many retry backoffs (50-200 ms) long: a retrying feed would ask again and again.
    Thread.sleep(1500);

    assertThat(registry.listChangesCalls()).isEqualTo(calls);
    assertThat(specs.current().project("p").table("driver_stats")).isNotNull();
  }

  @Test
  void stopEndsTheChangeFeed() {
    RegistrySpecCache specs = cacheOnTheRegistry();
    specs.start();
    await().atMost(WAIT).until(() -> registry.watchCalls() >= 1);

    specs.stop();
    int watches = registry.watchCalls();
    registry.setTables("p", List.of(STATS), List.of(DRIVER));

    assertThat(specs.isRunning()).isFalse();
    assertThat(registry.watchCalls()).isEqualTo(watches);
    assertThat(specs.current().project("p")).isNull();
  }
}
