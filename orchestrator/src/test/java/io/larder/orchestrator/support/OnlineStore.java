package io.larder.orchestrator.support;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineRowReader;
import io.larder.onlinestore.OnlineRowReader.FeatureValue;
import io.larder.onlinestore.OnlineRowReader.Freshness;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Reads feature rows back from Redis the way the gateway decodes them. */
public final class OnlineStore implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;

  public OnlineStore(String uri) {
    client = RedisClient.create(uri);
    client.setDefaultTimeout(Duration.ofSeconds(10));
    connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  /** One feature of one driver's row; null when the entity has no row in the table. */
  public Value driverFeature(
      String project, long driverId, String table, String feature, ValueType.Enum type) {
    byte[] key =
        OnlineStoreKeys.entityKey(
            project, Map.of("driver_id", Value.newBuilder().setInt64Val(driverId).build()));
    List<KeyValue<byte[], byte[]>> reply =
        connection
            .sync()
            .hmget(
                key,
                OnlineStoreKeys.timestampField(table),
                OnlineStoreKeys.featureField(table, feature));
    byte[] timestamp = reply.get(0).getValueOrElse(null);
    Freshness freshness = OnlineRowReader.freshness(timestamp, 0, 0);
    FeatureValue value = OnlineRowReader.read(reply.get(1).getValueOrElse(null), type, freshness);
    return value.status()
            == io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus
                .PRESENT
        ? value.value()
        : null;
  }

  /** Writes one driver's row of the table in the hash layout, as ingestion would. */
  public void writeDriverRow(
      String project, long driverId, String table, Map<String, Value> features, Instant eventTime) {
    Timestamp event = Timestamp.newBuilder().setSeconds(eventTime.getEpochSecond()).build();
    connection
        .sync()
        .hset(driverKey(project, driverId), OnlineRowWriter.fields(table, features, event, null));
  }

  /** One driver's row of a packed-layout table; null when there is none. */
  public PackedRow packedDriverRow(String project, long driverId, String table) {
    byte[] stored =
        connection
            .sync()
            .get(PackedRows.key(PackedRows.keyPrefix(table), driverKey(project, driverId)));
    try {
      return stored == null ? null : PackedRow.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("not a packed row: " + e.getMessage(), e);
    }
  }

  /** Whether the driver's hash holds any field of the table. */
  public boolean hasHashRow(String project, long driverId, String table) {
    return connection
        .sync()
        .hexists(driverKey(project, driverId), OnlineStoreKeys.timestampField(table));
  }

  private static byte[] driverKey(String project, long driverId) {
    return OnlineStoreKeys.entityKey(
        project, Map.of("driver_id", Value.newBuilder().setInt64Val(driverId).build()));
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
