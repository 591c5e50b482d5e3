package io.larder.loadtest.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineStoreKeys;
import io.lettuce.core.protocol.AsyncCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HmgetRequestsTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 1_000, 5, 10);

  @Test
  void fiftyFeaturesReadFiftyHashedFieldsAndFiveTimestamps() {
    List<byte[]> fields = new HmgetRequests(shape, 10, 50).fields();

    assertThat(fields).hasSize(55);
    assertThat(fields.get(0)).isEqualTo(OnlineStoreKeys.featureField("table_0", "feature_0"));
    assertThat(fields.get(49)).isEqualTo(OnlineStoreKeys.featureField("table_4", "feature_9"));
    for (int table = 0; table < 5; table++) {
      assertThat(fields.get(50 + table))
          .isEqualTo(("_ts:table_" + table).getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Test
  void featuresOfOneTableReadOnlyThatTablesTimestamp() {
    List<byte[]> fields = new HmgetRequests(shape, 1, 10).fields();

    assertThat(fields).hasSize(11);
    assertThat(fields.get(10)).isEqualTo(OnlineStoreKeys.timestampField("table_0"));
  }

  @Test
  void oneHmgetPerEntityOnItsSharedEncodingKey() {
    HmgetRequests hmgets = new HmgetRequests(shape, 2, 50);

    var commands = hmgets.commands(new long[] {3, 4});

    assertThat(commands).hasSize(2);
    List<byte[]> wire = resp(commands.get(1));
    assertThat(new String(wire.get(0), StandardCharsets.US_ASCII)).isEqualTo("HMGET");
    assertThat(wire.get(1)).isEqualTo(shape.entityKey(4));
    assertThat(wire.subList(2, wire.size()))
        .usingElementComparator(HmgetRequestsTest::compareBytes)
        .containsExactlyElementsOf(hmgets.fields());
  }

  @Test
  void tallyCountsRowsAndPresentFields() {
    HmgetRequests hmgets = new HmgetRequests(shape, 2, 10);
    var commands = hmgets.commands(new long[] {1, 2});
    reply(commands.get(0), "a", "b");
    reply(commands.get(1), "c", null);

    CallResult result = HmgetRequests.tally(commands);

    assertThat(result).isEqualTo(new CallResult(2, 3, 4));
  }

  private static void reply(AsyncCommand<byte[], byte[], List<byte[]>> command, String... values) {
    command.getOutput().multi(values.length);
    for (String value : values) {
      command
          .getOutput()
          .set(value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }
    command.complete();
  }

  /** The command as Redis receives it: a RESP array of bulk strings. */
  private static List<byte[]> resp(AsyncCommand<byte[], byte[], List<byte[]>> command) {
    ByteBuf buffer = Unpooled.buffer();
    command.encode(buffer);
    List<byte[]> parts = new ArrayList<>();
    assertThat((char) buffer.readByte()).isEqualTo('*');
    int count = Integer.parseInt(readLine(buffer));
    for (int i = 0; i < count; i++) {
      assertThat((char) buffer.readByte()).isEqualTo('$');
      byte[] part = new byte[Integer.parseInt(readLine(buffer))];
      buffer.readBytes(part);
      buffer.skipBytes(2);
      parts.add(part);
    }
    return parts;
  }

  private static String readLine(ByteBuf buffer) {
    StringBuilder line = new StringBuilder();
    byte b;
    while ((b = buffer.readByte()) != '\r') {
      line.append((char) b);
    }
    buffer.skipBytes(1);
    return line.toString();
  }

  private static int compareBytes(byte[] a, byte[] b) {
    return java.util.Arrays.compare(a, b);
  }
}
