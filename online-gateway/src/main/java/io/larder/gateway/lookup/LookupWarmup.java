package io.larder.gateway.lookup;

import io.larder.gateway.featurespec.FeatureSpecSnapshot;
import io.larder.gateway.featurespec.ProjectSpec;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Warms the lookup path before the servers open, so the first requests are as fast as the rest:
 * runs synthetic lookups (10 rows x 50 features, no I/O) until the JIT has compiled the hot loops,
 * then makes one real online-store read so its connection is open. Never fails start-up. Runs on
 * the start-up thread before any server opens, so its block() calls never hold an event loop.
 */
@Component
class LookupWarmup implements SmartLifecycle {

  /** After the spec cache has loaded, before the web and gRPC servers start. */
  static final int PHASE = Integer.MAX_VALUE - 3072;

  private static final Logger log = LoggerFactory.getLogger(LookupWarmup.class);
  private static final String PROJECT = "larder_warmup";
  private static final int TABLES = 5;
  private static final int FEATURES_PER_TABLE = 10;
  private static final int ROWS = 10;
  private static final Duration SYNCHRONOUS = Duration.ofSeconds(5);

  private final OnlineStore store;
  private final int lookups;
  private final Duration storeTimeout;
  private volatile boolean running;

  LookupWarmup(
      OnlineStore store,
      @org.springframework.beans.factory.annotation.Value("${larder.gateway.warmup-lookups:3000}")
          int lookups,
      @org.springframework.beans.factory.annotation.Value(
              "${larder.gateway.warmup-store-timeout:2s}")
          Duration storeTimeout) {
    this.store = store;
    this.lookups = lookups;
    this.storeTimeout = storeTimeout;
  }

  @Override
  public void start() {
    running = true;
    if (lookups <= 0) {
      return;
    }
    long started = System.nanoTime();
    try {
      warmLookups();
    } catch (RuntimeException e) {
      log.warn("lookup warm-up failed; the first requests may be slower", e);
    }
    long cpuMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    boolean storeAnswered = warmStore();
    log.info(
        "lookup path warmed: {} synthetic lookups in {} ms; online store {}",
        lookups,
        cpuMillis,
        storeAnswered ? "answered" : "did not answer (lookups answer UNAVAILABLE until it does)");
  }

  private void warmLookups() {
    List<FeatureTableSpec> tables = new ArrayList<>();
    GetOnlineFeaturesRequestV2.Builder request =
        GetOnlineFeaturesRequestV2.newBuilder().setProject(PROJECT);
    for (int t = 0; t < TABLES; t++) {
      FeatureTableSpec.Builder table =
          FeatureTableSpec.newBuilder()
              .setName("table_" + t)
              .addEntities("entity_id")
              .setMaxAge(com.google.protobuf.Duration.newBuilder().setSeconds(86_400));
      if (t % 2 == 1) {
        // Both layouts' read paths get warm.
        table.putLabels(OnlineLayout.LABEL, OnlineLayout.PACKED.label());
      }
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        table.addFeatures(
            FeatureSpecV2.newBuilder().setName("feature_" + f).setValueType(ValueType.Enum.DOUBLE));
        request.addFeatures(
            FeatureReferenceV2.newBuilder().setFeatureTable("table_" + t).setName("feature_" + f));
      }
      tables.add(table.build());
    }
    for (int r = 0; r < ROWS; r++) {
      request.addEntityRows(
          EntityRow.newBuilder().putFields("entity_id", Value.newBuilder().setInt64Val(r).build()));
    }
    FeatureSpecSnapshot specs =
        FeatureSpecSnapshot.of(
            List.of(
                ProjectSpec.of(
                    PROJECT,
                    tables,
                    List.of(
                        EntitySpecV2.newBuilder()
                            .setName("entity_id")
                            .setValueType(ValueType.Enum.INT64)
                            .build()))));
    OnlineFeatureService service =
        new OnlineFeatureService(() -> specs, syntheticStore(), LookupProperties.defaults());
    GetOnlineFeaturesRequestV2 built = request.build();
    long bytes = 0;
    for (int i = 0; i < lookups; i++) {
      // Synchronous all the way down (Mono.just store): block() returns at once.
      bytes += service.getOnlineFeatures(built).block(SYNCHRONOUS).toByteArray().length;
      if (i % 8 == 0) {
        bytes += service.streamOnlineFeatures(built).count().block(SYNCHRONOUS);
      }
    }
    log.debug("warm-up answered {} bytes", bytes);
  }

  /**
   * Answers every read at once: a fresh double per feature on even reads (a packed row of the first
   * features on even packed reads), nothing on odd ones.
   */
  private static OnlineStore syntheticStore() {
    Value value = Value.newBuilder().setDoubleVal(0.5).build();
    com.google.protobuf.Timestamp now =
        com.google.protobuf.Timestamp.newBuilder()
            .setSeconds(Instant.now().getEpochSecond())
            .build();
    byte[] timestamp = now.toByteArray();
    int[] ids = new int[FEATURES_PER_TABLE];
    for (int f = 0; f < ids.length; f++) {
      ids[f] = PackedRows.featureId("table_1", "feature_" + f);
    }
    byte[] packedRow = PackedRows.row(now, ids, java.util.Collections.nCopies(ids.length, value));
    byte[] valueBytes = value.toByteArray();
    return reads -> {
      List<List<byte[]>> answers = new ArrayList<>(reads.size());
      for (int i = 0; i < reads.size(); i++) {
        if (!(reads.get(i) instanceof HashRead hash)) {
          answers.add(java.util.Collections.singletonList(i % 2 == 1 ? null : packedRow));
          continue;
        }
        List<byte[]> fields = hash.fields();
        List<byte[]> values = new ArrayList<>(fields.size());
        for (byte[] field : fields) {
          // Feature fields are 4-byte hashes; the rest are _ts:<table>.
          values.add(i % 2 == 1 ? null : field.length == 4 ? valueBytes : timestamp);
        }
        answers.add(values);
      }
      return Mono.just(answers);
    };
  }

  /** One real read of a key nobody writes, so the store's connection is open before requests. */
  private boolean warmStore() {
    try {
      store
          .read(
              List.of(
                  new HashRead(
                      (PROJECT + ":connection-check").getBytes(StandardCharsets.UTF_8),
                      List.of("_ts:none".getBytes(StandardCharsets.UTF_8)))))
          // Start-up on the main thread, not a request path.
          .block(storeTimeout);
      return true;
    } catch (RuntimeException e) {
      log.debug("online store warm-up read failed", e);
      return false;
    }
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
