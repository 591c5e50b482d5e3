package io.larder.gateway.store.redis;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.StoreRead;
import io.larder.gateway.lookup.ValueRead;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntConsumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One pipelined batch: an HMGET per hash read and an MGET per group of string reads (all of them on
 * a standalone server, those of one slot on a Cluster, at most {@code maxBatchCommands} keys each),
 * handed to the connection in chunks of at most {@code maxBatchCommands} commands (one write and
 * flush each, per node for Cluster). The first {@code chunksInFlight} chunks are written at once;
 * each further chunk when an earlier one is fully answered, so a large read keeps Redis busy
 * without queueing everyone else's reads behind all of it. Replies complete the commands on
 * Lettuce's I/O thread; the last one emits the result, so no thread waits for Redis.
 */
final class PipelinedReads {

  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private final List<? extends StoreRead> reads;
  private final List<byte[]>[] results;
  private final List<AsyncCommand<byte[], byte[], List<byte[]>>> commands;
  private final AtomicInteger pending;
  private final AtomicBoolean done = new AtomicBoolean();
  private final MonoSink<List<List<byte[]>>> sink;
  private StatefulConnection<byte[], byte[]> connection;
  private IntConsumer batchSizes;
  private int chunkSize;
  private int chunkCount;

  /** Per chunk: its commands not yet answered. */
  private AtomicIntegerArray chunkPending;

  private final AtomicInteger nextChunk = new AtomicInteger();

  @SuppressWarnings("unchecked")
  private PipelinedReads(List<? extends StoreRead> reads, MonoSink<List<List<byte[]>>> sink) {
    this.reads = reads;
    this.sink = sink;
    this.results = (List<byte[]>[]) new List<?>[reads.size()];
    this.commands = new ArrayList<>(reads.size());
    this.pending = new AtomicInteger();
  }

  /**
   * Reads every hash on subscription.
   *
   * @param batchSizes told the size of every write
   */
  static Mono<List<List<byte[]>>> read(
      StatefulConnection<byte[], byte[]> connection,
      List<? extends StoreRead> reads,
      int maxBatchCommands,
      int chunksInFlight,
      IntConsumer batchSizes) {
    return Mono.create(
        sink ->
            new PipelinedReads(reads, sink)
                .start(connection, maxBatchCommands, chunksInFlight, batchSizes));
  }

  private void start(
      StatefulConnection<byte[], byte[]> connection,
      int maxBatchCommands,
      int chunksInFlight,
      IntConsumer batchSizes) {
    this.connection = connection;
    this.batchSizes = batchSizes;
    // Per command, the reads it answers: one for an HMGET, one per key for an MGET.
    List<int[]> answers = new ArrayList<>();
    Map<Integer, List<Integer>> valueReadsBySlot = new LinkedHashMap<>();
    boolean cluster = connection instanceof StatefulRedisClusterConnection;
    for (int i = 0; i < reads.size(); i++) {
      StoreRead read = reads.get(i);
      if (read instanceof ValueRead value) {
        // A Cluster's MGET must stay within one slot; a standalone server takes any keys.
        int slot = cluster ? SlotHash.getSlot(value.key()) : 0;
        valueReadsBySlot.computeIfAbsent(slot, any -> new ArrayList<>()).add(i);
        continue;
      }
      HashRead hash = (HashRead) read;
      if (hash.fields().isEmpty()) {
        // HMGET needs a field; nothing asked, nothing to send.
        results[i] = List.of();
        continue;
      }
      CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC).addKey(hash.key());
      for (byte[] field : hash.fields()) {
        args.add(field);
      }
      answers.add(new int[] {i});
      commands.add(
          new AsyncCommand<>(new Command<>(CommandType.HMGET, new ValueListOutput<>(CODEC), args)));
    }
    for (List<Integer> sameSlot : valueReadsBySlot.values()) {
      for (int from = 0; from < sameSlot.size(); from += maxBatchCommands) {
        List<Integer> part =
            sameSlot.subList(from, Math.min(sameSlot.size(), from + maxBatchCommands));
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(CODEC);
        int[] answered = new int[part.size()];
        for (int k = 0; k < answered.length; k++) {
          answered[k] = part.get(k);
          args.addKey(reads.get(answered[k]).key());
        }
        answers.add(answered);
        commands.add(
            new AsyncCommand<>(
                new Command<>(CommandType.MGET, new ValueListOutput<>(CODEC), args)));
      }
    }
    if (commands.isEmpty()) {
      sink.success(Arrays.asList(results));
      return;
    }
    pending.set(commands.size());
    chunkSize = maxBatchCommands;
    chunkCount = (commands.size() + maxBatchCommands - 1) / maxBatchCommands;
    chunkPending = new AtomicIntegerArray(chunkCount);
    for (int chunk = 0; chunk < chunkCount; chunk++) {
      chunkPending.set(chunk, Math.min(chunkSize, commands.size() - chunk * chunkSize));
    }
    sink.onCancel(this::cancelled);
    for (int c = 0; c < commands.size(); c++) {
      int[] answered = answers.get(c);
      int chunk = c / chunkSize;
      commands.get(c).whenComplete((values, error) -> replied(answered, chunk, values, error));
    }
    for (int i = 0; i < Math.min(chunksInFlight, chunkCount); i++) {
      writeNextChunk();
    }
  }

  /** Hands the next unwritten chunk to the connection, if any is left and the batch is live. */
  private void writeNextChunk() {
    int chunk = nextChunk.getAndIncrement();
    if (chunk >= chunkCount || done.get()) {
      return;
    }
    int from = chunk * chunkSize;
    int to = Math.min(from + chunkSize, commands.size());
    try {
      // A fresh list per write: Lettuce keeps the collection it was handed.
      List<RedisCommand<byte[], byte[], ?>> write = new ArrayList<>(commands.subList(from, to));
      connection.dispatch(write);
      batchSizes.accept(write.size());
    } catch (RuntimeException rejected) {
      // Not connected, queue full, closed: Lettuce refuses synchronously.
      fail(rejected);
    }
  }

  private void replied(int[] answered, int chunk, List<byte[]> values, Throwable error) {
    if (error != null) {
      if (reads.get(answered[0]) instanceof HashRead hash && isWrongType(error)) {
        // A non-hash value under an entity key holds no features: read it as absent, as the
        // lookup does a missing key, rather than failing the whole request.
        results[answered[0]] = Collections.nCopies(hash.fields().size(), null);
      } else {
        fail(error);
        return;
      }
    } else if (reads.get(answered[0]) instanceof HashRead) {
      results[answered[0]] = values;
    } else {
      for (int k = 0; k < answered.length; k++) {
        results[answered[k]] = Collections.singletonList(values.get(k));
      }
    }
    if (pending.decrementAndGet() == 0) {
      if (done.compareAndSet(false, true)) {
        sink.success(Arrays.asList(results));
      }
    } else if (chunkPending.decrementAndGet(chunk) == 0) {
      writeNextChunk();
    }
  }

  private void fail(Throwable error) {
    if (done.compareAndSet(false, true)) {
      sink.error(error);
      cancelAll();
    }
  }

  private void cancelled() {
    // Marked done first: the commands' cancellation must not signal the cancelled sink again.
    if (done.compareAndSet(false, true)) {
      cancelAll();
    }
  }

  private void cancelAll() {
    // Completes what is still open; replies that arrive later are read and dropped by Lettuce.
    for (AsyncCommand<byte[], byte[], List<byte[]>> command : commands) {
      if (!command.isDone()) {
        command.cancel();
      }
    }
  }

  private static boolean isWrongType(Throwable error) {
    return error instanceof RedisCommandExecutionException
        && error.getMessage() != null
        && error.getMessage().startsWith("WRONGTYPE");
  }
}
