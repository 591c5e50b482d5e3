package io.larder.orchestrator.job;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** New job ids: a type prefix and a random UUID. */
public final class JobIds {

  private JobIds() {}

  /**
   * {@code <prefix>-<uuid>}. ThreadLocalRandom rather than UUID.randomUUID: the latter reads
   * SecureRandom, a blocking call on the event loops that create jobs; ids need uniqueness, not
   * unpredictability.
   */
  public static String next(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return prefix + "-" + new UUID(high, low);
  }
}
