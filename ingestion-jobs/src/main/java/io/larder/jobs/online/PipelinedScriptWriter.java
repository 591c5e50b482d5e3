package io.larder.jobs.online;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Runs a {@link NewestWinsScript} over {@code entitiesPerCall} entities per call, {@code batchSize}
 * entities per pipeline, and counts what the script answered. Not thread-safe: one per partition.
 */
final class PipelinedScriptWriter implements AutoCloseable {

  private final UnifiedJedis redis;
  private final int batchSize;
  private final int entitiesPerCall;
  private final NewestWinsScript script;
  private final byte[] sha;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<List<byte[]>> args = new ArrayList<>();
  private long written;
  private long notNewer;

  PipelinedScriptWriter(UnifiedJedis redis, int batchSize) {
    this(redis, batchSize, 1);
  }

  PipelinedScriptWriter(UnifiedJedis redis, int batchSize, int entitiesPerCall) {
    this(redis, NewestWinsScript.HASH, batchSize, entitiesPerCall);
  }

  /**
   * @param entitiesPerCall entities one script call writes: several amortize the script's fixed
   *     cost in Redis; 1 on a cluster, where one call's keys must share a slot
   */
  PipelinedScriptWriter(
      UnifiedJedis redis, NewestWinsScript script, int batchSize, int entitiesPerCall) {
    this.redis = redis;
    this.script = script;
    this.batchSize = batchSize;
    this.entitiesPerCall = Math.max(1, entitiesPerCall);
    // Loaded once per connection (broadcast to every master of a cluster); EVALSHA afterwards.
    this.sha = redis.scriptLoad(script.source).getBytes(StandardCharsets.US_ASCII);
  }

  void write(byte[] key, List<byte[]> scriptArgs) {
    keys.add(key);
    args.add(scriptArgs);
    if (keys.size() >= batchSize) {
      flush();
    }
  }

  void flush() {
    if (keys.isEmpty()) {
      return;
    }
    List<Response<Object>> replies = new ArrayList<>();
    List<List<byte[]>> callKeys = new ArrayList<>();
    List<List<byte[]>> callArgs = new ArrayList<>();
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (int from = 0; from < keys.size(); from += entitiesPerCall) {
        int to = Math.min(keys.size(), from + entitiesPerCall);
        List<byte[]> argv = new ArrayList<>();
        for (int i = from; i < to; i++) {
          // Each entity's arguments behind their count (see newest-wins.lua).
          argv.add(Integer.toString(args.get(i).size()).getBytes(StandardCharsets.US_ASCII));
          argv.addAll(args.get(i));
        }
        List<byte[]> entityKeys = keys.subList(from, to);
        callKeys.add(entityKeys);
        callArgs.add(argv);
        replies.add(pipeline.evalsha(sha, entityKeys, argv));
      }
      pipeline.sync();
    }
    for (int c = 0; c < replies.size(); c++) {
      Object reply;
      try {
        reply = replies.get(c).get();
      } catch (JedisDataException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
          throw e;
        }
        // The server lost its script cache (restart, SCRIPT FLUSH): EVAL runs and re-caches it.
        reply = redis.eval(script.sourceBytes, callKeys.get(c), callArgs.get(c));
      }
      if (!(reply instanceof List<?> answers) || answers.size() != callKeys.get(c).size()) {
        throw new IllegalStateException("unexpected reply from the write script: " + reply);
      }
      answers.forEach(this::count);
    }
    keys.clear();
    args.clear();
  }

  private void count(Object reply) {
    if (reply instanceof Long answer && answer == NewestWinsScript.WRITTEN) {
      written++;
    } else if (reply instanceof Long answer && answer == NewestWinsScript.NOT_NEWER) {
      notNewer++;
    } else {
      throw new IllegalStateException("unexpected reply from the write script: " + reply);
    }
  }

  long written() {
    return written;
  }

  long notNewer() {
    return notNewer;
  }

  /** Flushes what is left; the connection belongs to the caller. */
  @Override
  public void close() {
    flush();
  }
}
