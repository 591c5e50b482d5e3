package io.larder.loadtest.baseline;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Redis commands the gateway's lookup plan issues for one request, per ONLINE_STORE_LAYOUT.md:
 * per entity row one HMGET of the requested features' hashed fields plus one {@code _ts:<table>}
 * per requested table. The baseline sends exactly these, pipelined.
 */
public final class HmgetRequests {

  private final BenchmarkShape shape;
  private final int rows;
  private final byte[][] fields;

  public HmgetRequests(BenchmarkShape shape, int rows, int features) {
    this.shape = shape;
    this.rows = rows;
    List<FeatureReferenceV2> refs = shape.featureRefs(features);
    Set<String> tables = new LinkedHashSet<>();
    List<byte[]> fieldList = new ArrayList<>();
    for (FeatureReferenceV2 ref : refs) {
      fieldList.add(OnlineStoreKeys.featureField(ref.getFeatureTable(), ref.getName()));
      tables.add(ref.getFeatureTable());
    }
    for (String table : tables) {
      fieldList.add(OnlineStoreKeys.timestampField(table));
    }
    this.fields = fieldList.toArray(byte[][]::new);
  }

  public int rows() {
    return rows;
  }

  /** The HMGET fields of every row: the features' hashed names, then the tables' {@code _ts}. */
  public List<byte[]> fields() {
    return List.of(fields);
  }

  /** One HMGET per entity, ready for {@code connection.dispatch(...)} as one pipelined write. */
  public List<AsyncCommand<byte[], byte[], List<byte[]>>> commands(long[] entityIds) {
    List<AsyncCommand<byte[], byte[], List<byte[]>>> commands = new ArrayList<>(entityIds.length);
    for (long id : entityIds) {
      CommandArgs<byte[], byte[]> args =
          new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(shape.entityKey(id)).addKeys(fields);
      commands.add(
          new AsyncCommand<>(
              new Command<>(
                  CommandType.HMGET, new ValueListOutput<>(ByteArrayCodec.INSTANCE), args)));
    }
    return commands;
  }

  /** Rows answered and how many of their fields held a value. */
  public static CallResult tally(List<AsyncCommand<byte[], byte[], List<byte[]>>> completed) {
    long present = 0;
    long checked = 0;
    for (AsyncCommand<byte[], byte[], List<byte[]>> command : completed) {
      for (byte[] value : command.join()) {
        checked++;
        if (value != null) {
          present++;
        }
      }
    }
    return new CallResult(completed.size(), present, checked);
  }
}
