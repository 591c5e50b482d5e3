package io.larder.loadtest.shape;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random entity ids for one request: uniform over the generated range and distinct within the
 * request, so the gateway (which dedupes identical keys) and the raw-Redis baseline (which does
 * not) issue the same number of HMGETs.
 */
public final class EntityIds {

  private EntityIds() {}

  /** {@code rows} distinct ids from {@code [0, entities)}; safe from any thread. */
  public static long[] distinct(int rows, long entities) {
    if (rows < 0 || rows > entities) {
      throw new IllegalArgumentException(
          "cannot pick %d distinct ids out of %d entities".formatted(rows, entities));
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long[] ids = new long[rows];
    for (int i = 0; i < rows; i++) {
      long id;
      do {
        id = random.nextLong(entities);
      } while (contains(ids, i, id));
      ids[i] = id;
    }
    return ids;
  }

  /**
   * {@code rows} distinct ids spread evenly over {@code [0, entities)}, the same on every call:
   * what a load tool that repeats one request body (h2load) asks for, and its raw-Redis
   * counterpart.
   */
  public static long[] spread(int rows, long entities) {
    if (rows < 0 || rows > entities) {
      throw new IllegalArgumentException(
          "cannot pick %d distinct ids out of %d entities".formatted(rows, entities));
    }
    long[] ids = new long[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = i * entities / Math.max(1, rows);
    }
    return ids;
  }

  // Requests hold at most a few hundred rows: a scan beats hashing boxed longs here.
  private static boolean contains(long[] ids, int length, long id) {
    for (int i = 0; i < length; i++) {
      if (ids[i] == id) {
        return true;
      }
    }
    return false;
  }
}
