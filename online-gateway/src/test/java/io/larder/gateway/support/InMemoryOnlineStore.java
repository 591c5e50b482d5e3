package io.larder.gateway.support;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStore;
import io.larder.gateway.lookup.StoreRead;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
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
 * An {@link OnlineStore} over in-memory hashes and strings, written through the shared online-store
 * encoding of either layout, that records every batch it is asked to read (to count round trips,
 * HMGETs and string reads).
 */
public final class InMemoryOnlineStore implements OnlineStore {

  private final Map<ByteBuffer, Map<ByteBuffer, byte[]>> hashes = new ConcurrentHashMap<>();
  private final Map<ByteBuffer, byte[]> strings = new ConcurrentHashMap<>();
  private final List<List<StoreRead>> batches = new CopyOnWriteArrayList<>();
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

  /** One feature-table row of one entity in the packed layout, features in the given order. */
  public void writePackedRow(
      String project,
      Map<String, Value> entity,
      String table,
      Map<String, Value> features,
      Instant eventTime) {
    writeString(
        PackedRows.key(PackedRows.keyPrefix(table), OnlineStoreKeys.entityKey(project, entity)),
        PackedRows.row(table, Specs.timestamp(eventTime), features));
  }

  /** A raw string value, to store what a writer would not (bytes that do not parse). */
  public void writeString(byte[] key, byte[] value) {
    strings.put(ByteBuffer.wrap(key), value);
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
  public Mono<List<List<byte[]>>> read(List<? extends StoreRead> reads) {
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
          for (StoreRead storeRead : reads) {
            if (!(storeRead instanceof HashRead read)) {
              answers.add(
                  java.util.Collections.singletonList(
                      strings.get(ByteBuffer.wrap(storeRead.key()))));
              continue;
            }
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
  public List<List<StoreRead>> batches() {
    return List.copyOf(batches);
  }

  /** How many reads (HMGETs and string reads) all batches together held. */
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
