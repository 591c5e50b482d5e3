package io.larder.jobs.online;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Runs {@link NewestWinsScript} once per entity, {@code batchSize} entities per pipeline, and
 * counts what the script answered. Not thread-safe: one per partition.
 */
final class PipelinedScriptWriter implements AutoCloseable {

  private final UnifiedJedis redis;
  private final int batchSize;
  private final byte[] sha;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<List<byte[]>> args = new ArrayList<>();
  private long written;
  private long notNewer;

  PipelinedScriptWriter(UnifiedJedis redis, int batchSize) {
    this.redis = redis;
    this.batchSize = batchSize;
    // Loaded once per connection (broadcast to every master of a cluster); EVALSHA afterwards.
    this.sha = redis.scriptLoad(NewestWinsScript.SOURCE).getBytes(StandardCharsets.US_ASCII);
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
    List<Response<Object>> replies = new ArrayList<>(keys.size());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (int i = 0; i < keys.size(); i++) {
        replies.add(pipeline.evalsha(sha, List.of(keys.get(i)), args.get(i)));
      }
      pipeline.sync();
    }
    for (int i = 0; i < replies.size(); i++) {
      Object reply;
      try {
        reply = replies.get(i).get();
      } catch (JedisDataException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
          throw e;
        }
        // The server lost its script cache (restart, SCRIPT FLUSH): EVAL runs and re-caches it.
        reply = redis.eval(NewestWinsScript.SOURCE_BYTES, List.of(keys.get(i)), args.get(i));
      }
      count(reply);
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
