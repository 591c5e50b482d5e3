package io.larder.loadtest.jobs;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks the gateway (GetOnlineFeaturesV2, its own channel) for the oldest outstanding keys and marks
 * each one served when it answers PRESENT with the produced value. An event counts as served when
 * the answer that first shows it arrives, so the latency includes at most one poll interval and one
 * lookup more than the true one.
 */
final class ServedPoller implements AutoCloseable {

  private final ManagedChannel channel;
  private final String project;
  private final FeatureReferenceV2 feature;
  private final String featureKey;
  private final Duration deadline;
  private final int maxRows;
  private final Map<String, Long> errors = new TreeMap<>();
  private long polls;

  ServedPoller(String target, String project, String table, Duration deadline, int maxRows) {
    this.channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    this.project = project;
    this.feature =
        FeatureReferenceV2.newBuilder()
            .setFeatureTable(table)
            .setName(BenchTables.STREAM_FEATURE)
            .build();
    this.featureKey = table + ":" + BenchTables.STREAM_FEATURE;
    this.deadline = deadline;
    this.maxRows = maxRows;
  }

  /** One lookup of the oldest outstanding keys; answers how many it found served. */
  int pollOnce(FreshnessTracker tracker) {
    List<Map.Entry<Long, FreshnessTracker.Pending>> keys = tracker.oldest(maxRows);
    if (keys.isEmpty()) {
      return 0;
    }
    GetOnlineFeaturesRequestV2.Builder request =
        GetOnlineFeaturesRequestV2.newBuilder().setProject(project).addFeatures(feature);
    for (Map.Entry<Long, FreshnessTracker.Pending> key : keys) {
      request.addEntityRowsBuilder().putFields(BenchTables.ENTITY, int64(key.getKey()));
    }
    GetOnlineFeaturesResponse response;
    try {
      polls++;
      response =
          ServingServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
              .getOnlineFeaturesV2(request.build());
    } catch (StatusRuntimeException e) {
      errors.merge(e.getStatus().getCode().name(), 1L, Long::sum);
      return 0;
    }
    long now = System.nanoTime();
    int found = 0;
    for (int row = 0; row < Math.min(keys.size(), response.getFieldValuesCount()); row++) {
      FieldValues values = response.getFieldValues(row);
      Value value = values.getFieldsMap().get(featureKey);
      if (values.getStatusesMap().get(featureKey) == FieldStatus.PRESENT
          && value != null
          && value.getValCase() == Value.ValCase.INT64_VAL
          && tracker.served(keys.get(row).getKey(), value.getInt64Val(), now)) {
        found++;
      }
    }
    return found;
  }

  /**
   * Polls every {@code interval} until the tracker is done, giving up on events older than {@code
   * timeout}.
   */
  void pollUntilDone(FreshnessTracker tracker, Duration interval, Duration timeout) {
    while (!tracker.done()) {
      long started = System.nanoTime();
      pollOnce(tracker);
      tracker.expire(System.nanoTime(), timeout.toNanos());
      long rest = interval.toNanos() - (System.nanoTime() - started);
      if (rest > 0) {
        LockSupport.parkNanos(rest);
      }
    }
  }

  long polls() {
    return polls;
  }

  /** Failed lookups by gRPC status code. */
  Map<String, Long> errors() {
    return errors;
  }

  void resetCounts() {
    polls = 0;
    errors.clear();
  }

  private static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
