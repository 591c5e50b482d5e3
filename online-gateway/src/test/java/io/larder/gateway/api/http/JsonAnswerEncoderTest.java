package io.larder.gateway.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.gateway.support.RandomAnswers;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Flux;

/**
 * The direct JSON encoder's answers parse to exactly what the generic printer's do (the protobuf
 * JSON mapping is value-identical, not byte-identical: key order and number forms may differ).
 */
class JsonAnswerEncoderTest {

  private static final int SEEDS = 3_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  @Test
  void responsesParseToWhatTheGenericPrinterPrintsOnRandomAnswers() throws Exception {
    for (long seed = 0; seed < SEEDS; seed++) {
      OnlineAnswer answer = new RandomAnswers(seed).next();
      String json = written(JsonAnswers.response(answer));

      assertThat(parse(json)).as("seed %d: %s", seed, json).isEqualTo(generic(answer.toResponse()));
    }
  }

  @Test
  void aResponseLargerThanOneBufferLeavesInSeveralThatMakeOneDocument() throws Exception {
    List<FieldValues> rows = new ArrayList<>();
    RandomAnswers random = new RandomAnswers(42);
    OnlineAnswer many = null;
    while (many == null || many.rowCount() == 0) {
      many = random.next();
    }
    int copies = JsonAnswers.ROWS_PER_BUFFER * 3 + 5;
    List<Map<String, Value>> echoed = new ArrayList<>();
    byte[] statuses = new byte[copies * many.slotCount()];
    byte[][] values = new byte[copies * many.slotCount()][];
    String[] references = new String[many.slotCount()];
    for (int slot = 0; slot < many.slotCount(); slot++) {
      references[slot] = many.reference(slot);
    }
    for (int row = 0; row < copies; row++) {
      int source = row % many.rowCount();
      echoed.add(many.entityFields(source));
      for (int slot = 0; slot < many.slotCount(); slot++) {
        statuses[row * many.slotCount() + slot] = (byte) many.status(source, slot);
        byte[] value = many.value(source, slot);
        values[row * many.slotCount() + slot] = value.length == 0 ? null : value;
      }
      rows.add(many.row(source));
    }
    OnlineAnswer large = new OnlineAnswer(0, echoed, references, statuses, values);

    MockServerHttpResponse response = new MockServerHttpResponse();
    JsonAnswers.response(large).insert(response, CONTEXT).block(TIMEOUT);

    assertThat(response.getHeaders().getContentLength()).as("streamed: no length").isEqualTo(-1);
    assertThat(parse(response.getBodyAsString().block(TIMEOUT)))
        .isEqualTo(generic(GetOnlineFeaturesResponse.newBuilder().addAllFieldValues(rows).build()));
  }

  @Test
  void streamedLinesParseToWhatTheGenericPrinterPrintsOnRandomAnswers() throws Exception {
    for (long seed = 0; seed < SEEDS; seed += 3) {
      RandomAnswers random = new RandomAnswers(seed);
      List<OnlineAnswer> chunks = List.of(random.next(), random.next(), random.next());
      List<StreamedFeatureRow> expected = new ArrayList<>();
      for (OnlineAnswer chunk : chunks) {
        for (int row = 0; row < chunk.rowCount(); row++) {
          StreamedFeatureRow.Builder generic = StreamedFeatureRow.newBuilder();
          PARSER.merge(
              PRINTER.print(
                  StreamedFeatureRow.newBuilder()
                      .setRowIndex(chunk.requestRow(row))
                      .setRow(chunk.row(row))),
              generic);
          expected.add(generic.build());
        }
      }
      String ndjson = written(JsonAnswers.ndjson(Flux.fromIterable(chunks)));

      List<StreamedFeatureRow> parsed = new ArrayList<>();
      for (String line : ndjson.split("\n")) {
        if (!line.isEmpty()) {
          StreamedFeatureRow.Builder row = StreamedFeatureRow.newBuilder();
          PARSER.merge(line, row);
          parsed.add(row.build());
        }
      }
      assertThat(parsed).as("seed %d: %s", seed, ndjson).isEqualTo(expected);
      assertThat(ndjson.isEmpty() || ndjson.endsWith("\n")).isTrue();
    }
  }

  @Test
  void anEchoedFieldNamedLikeAFeatureIsAnsweredAsTheGenericPrinterDoes() throws Exception {
    OnlineAnswer answer =
        new OnlineAnswer(
            0,
            List.of(Map.of("t:f", Value.newBuilder().setInt64Val(7).build())),
            new String[] {"t:f"},
            new byte[] {1},
            new byte[][] {Value.newBuilder().setInt64Val(8).build().toByteArray()});

    assertThat(parse(written(JsonAnswers.response(answer))))
        .isEqualTo(generic(answer.toResponse()));
  }

  private static <T> String written(BodyInserter<T, ? super MockServerHttpResponse> inserter) {
    MockServerHttpResponse response = new MockServerHttpResponse();
    inserter.insert(response, CONTEXT).block(TIMEOUT);
    String body = response.getBodyAsString().block(TIMEOUT);
    return body == null
        ? ""
        : new String(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  /**
   * What a client reads from the generic printer's JSON: the oracle, since JSON itself does not
   * carry everything (-0.0 reads back as 0.0 from either).
   */
  private static GetOnlineFeaturesResponse generic(GetOnlineFeaturesResponse response)
      throws InvalidProtocolBufferException {
    return parse(PRINTER.print(response));
  }

  private static GetOnlineFeaturesResponse parse(String json)
      throws InvalidProtocolBufferException {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    PARSER.merge(json, response);
    return response.build();
  }

  private static final BodyInserter.Context CONTEXT =
      new BodyInserter.Context() {
        @Override
        public List<HttpMessageWriter<?>> messageWriters() {
          return List.of();
        }

        @Override
        public Optional<ServerHttpRequest> serverRequest() {
          return Optional.empty();
        }

        @Override
        public Map<String, Object> hints() {
          return Map.of();
        }
      };
}
