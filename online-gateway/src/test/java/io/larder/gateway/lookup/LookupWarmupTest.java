package io.larder.gateway.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.support.InMemoryOnlineStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class LookupWarmupTest {

  @Test
  void warmsTheLookupPathAndOpensTheStoreWithOneRead() {
    InMemoryOnlineStore store = new InMemoryOnlineStore();
    LookupWarmup warmup = new LookupWarmup(store, 50, Duration.ofSeconds(2));

    warmup.start();

    assertThat(warmup.isRunning()).isTrue();
    assertThat(store.batches()).hasSize(1);
    assertThat(store.batches().get(0)).hasSize(1);
  }

  @Test
  void anUnreachableStoreDoesNotFailStartUp() {
    InMemoryOnlineStore down = new InMemoryOnlineStore();
    down.failWith(new OnlineStoreUnavailableException("redis down", null));
    new LookupWarmup(down, 10, Duration.ofSeconds(2)).start();

    OnlineStore hanging = reads -> Mono.never();
    long started = System.nanoTime();
    new LookupWarmup(hanging, 10, Duration.ofMillis(200)).start();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void zeroLookupsTurnsItOff() {
    InMemoryOnlineStore store = new InMemoryOnlineStore();

    new LookupWarmup(store, 0, Duration.ofSeconds(2)).start();

    assertThat(store.batches()).isEmpty();
  }
}
