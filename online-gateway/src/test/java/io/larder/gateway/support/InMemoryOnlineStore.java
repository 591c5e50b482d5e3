package io.larder.gateway.support;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStore;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.types.ValueProto.Value;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * An {@link OnlineStore} over in-memory hashes, written through the shared online-store encoding,
 * that records every batch it is asked to read (to count round trips and HMGETs).
 */
public final class InMemoryOnlineStore implements OnlineStore {

  private final Map<ByteBuffer, Map<ByteBuffer, byte[]>> hashes = new ConcurrentHashMap<>();
  private final List<List<HashRead>> batches = new CopyOnWriteArrayList<>();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile Throwable failure;

  /** One feature-table row of one entity, as ingestion writes it (null values not written). */
  public void writeRow(
      String project,
      Map<String, Value> entity,
      String table,
      Map<String, Value> features,
      Instant eventTime) {
    Map<ByteBuffer, byte[]> hash = hash(OnlineStoreKeys.entityKey(project, entity));
    OnlineRowWriter.fields(table, features, Specs.timestamp(eventTime), null)
        .forEach((field, value) -> hash.put(ByteBuffer.wrap(field), value));
  }

  /** A raw field value, to store what a writer would not (an unset Value, a wrong type). */
  public void writeField(String project, Map<String, Value> entity, byte[] field, byte[] value) {
    hash(OnlineStoreKeys.entityKey(project, entity)).put(ByteBuffer.wrap(field), value);
  }

  private Map<ByteBuffer, byte[]> hash(byte[] key) {
    return hashes.computeIfAbsent(ByteBuffer.wrap(key), ignored -> new ConcurrentHashMap<>());
  }

  /** From now on every read fails with {@code error}; null to answer again. */
  public void failWith(Throwable error) {
    this.failure = error;
  }

  @Override
  public Mono<List<List<byte[]>>> read(List<HashRead> reads) {
    return Mono.fromCallable(
        () -> {
          subscriptions.incrementAndGet();
          batches.add(List.copyOf(reads));
          Throwable error = failure;
          if (error instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (error != null) {
            throw new IllegalStateException(error);
          }
          List<List<byte[]>> answers = new ArrayList<>(reads.size());
          for (HashRead read : reads) {
            Map<ByteBuffer, byte[]> hash =
                hashes.getOrDefault(ByteBuffer.wrap(read.key()), Map.of());
            List<byte[]> values = new ArrayList<>(read.fields().size());
            for (byte[] field : read.fields()) {
              values.add(hash.get(ByteBuffer.wrap(field)));
            }
            answers.add(values);
          }
          return answers;
        });
  }

  /** Every batch read so far, one entry per {@link #read} call (one round trip each). */
  public List<List<HashRead>> batches() {
    return List.copyOf(batches);
  }

  /** How many HMGETs all batches together held. */
  public int hashReads() {
    return batches.stream().mapToInt(List::size).sum();
  }

  /** How many reads have started. */
  public int readsStarted() {
    return subscriptions.get();
  }

  public void forgetBatches() {
    batches.clear();
    subscriptions.set(0);
  }
}
