package io.larder.jobs.stream;

import static io.larder.jobs.stream.StreamFixtures.createTopic;
import static io.larder.jobs.stream.StreamFixtures.json;
import static io.larder.jobs.stream.StreamFixtures.produce;
import static io.larder.jobs.stream.StreamFixtures.produceTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.larder.jobs.batch.BatchIngestionJob;
import io.larder.jobs.spark.SparkSessions;
import io.larder.jobs.spec.JobSpecs;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** Kafka → Redis with the stack's real broker and Redis, in JSON, Avro and protobuf. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamIngestionIT {

  private static final Instant T1 = Instant.parse("2030-01-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2030-01-01T11:00:00Z");
  private static final Instant T3 = Instant.parse("2030-01-01T12:00:00Z");
  private static final Instant NEXT_DAY = Instant.parse("2030-01-02T10:00:00Z");

  private static SparkSession spark;
  private static RedisClient redis;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSessions.create(
            "stream-ingestion-it",
            "local[2]",
            Map.of(
                "spark.sql.shuffle.partitions",
                "2",
                "spark.sql.streaming.numRecentProgressUpdates",
                "10"));
    redis = RedisClient.create(StreamFixtures.REDIS);
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void jsonMessagesLandInRedisAndARestartNeitherLosesNorRepeatsAnything() throws Exception {
    String project = "stream_json_" + suffix();
    String topic = "rides-json-" + suffix();
    StreamIngestionSpec spec = spec(project, topic, StreamFormat.getDefaultInstance());
    produce(
        topic,
        json(1, 1, T1),
        json(1, 2, T2),
        json(2, 5, T1),
        "not json at all".getBytes(StandardCharsets.UTF_8),
        "{\"driver_id\": 3, \"trips\": \"many\", \"ts\": \"2030-01-01T10:00:00Z\"}"
            .getBytes(StandardCharsets.UTF_8),
        "{\"trips\": 4, \"ts\": \"2030-01-01T10:00:00Z\"}".getBytes(StandardCharsets.UTF_8));

    StreamTotals totals = runToEnd(spec);

    assertThat(totals.toResult().build())
        .satisfies(
            result -> {
              assertThat(result.getRowsRead()).isEqualTo(6);
              assertThat(result.getReady()).as("a batch done").isTrue();
              // Driver 1's older row is either superseded in its batch or written first.
              assertThat(result.getRowsWritten() + result.getRowsNotNewer()).isEqualTo(3);
              assertThat(result.getMessagesMalformed()).isEqualTo(1);
              assertThat(result.getRowsSkippedWrongType()).isEqualTo(1);
              assertThat(result.getRowsSkippedNullEntity()).isEqualTo(1);
            });
    assertThat(trips(project, 1)).isEqualTo(2);
    assertThat(trips(project, 2)).isEqualTo(5);
    assertThat(deadLetterReasons(spec))
        .containsExactlyInAnyOrder("malformed", "wrong_type", "null_entity");
    assertThat(offlineRows(spec)).isEqualTo(3);

    // Stopped; more messages arrive; a restart from the checkpoint picks up exactly those.
    // JSON times may also be epoch seconds as a number.
    byte[] epochSeconds =
        "{\"driver_id\": 4, \"trips\": 9, \"ts\": %d}"
            .formatted(T1.getEpochSecond())
            .getBytes(StandardCharsets.UTF_8);
    // With a fraction, which Spark's JSON reader hands over in scientific notation.
    byte[] fractionalSeconds =
        "{\"driver_id\": 5, \"trips\": 8, \"ts\": %d.125}"
            .formatted(T1.getEpochSecond())
            .getBytes(StandardCharsets.UTF_8);
    produce(topic, json(1, 3, T3), epochSeconds, fractionalSeconds, json(2, 1, T1));
    runToEnd(spec);

    assertThat(trips(project, 1)).isEqualTo(3);
    assertThat(trips(project, 4)).isEqualTo(9);
    assertThat(trips(project, 5)).isEqualTo(8);
    // Same event time as the stored row: not newer, not applied.
    assertThat(trips(project, 2)).isEqualTo(5);
    assertThat(deadLetterReasons(spec)).hasSize(3);
    assertThat(offlineRows(spec)).isEqualTo(7);

    // A third run with nothing new reprocesses nothing.
    runToEnd(spec);
    assertThat(offlineRows(spec)).isEqualTo(7);
  }

  @Test
  void avroMessagesWithTheSourcesSchema() throws Exception {
    String project = "stream_avro_" + suffix();
    String topic = "rides-avro-" + suffix();
    String schemaJson =
        """
        {"type": "record", "name": "Ride", "fields": [
          {"name": "driver_id", "type": "long"},
          {"name": "trips", "type": ["null", "long"]},
          {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}
        """;
    StreamFormat format =
        StreamFormat.newBuilder()
            .setAvroFormat(StreamFormat.AvroFormat.newBuilder().setSchemaJson(schemaJson))
            .build();
    Schema schema = new Schema.Parser().parse(schemaJson);
    produce(
        topic,
        avro(schema, 7, 70L, T1),
        avro(schema, 7, 71L, T2),
        avro(schema, 8, null, T1),
        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    runToEnd(spec(project, topic, format));

    assertThat(trips(project, 7)).isEqualTo(71);
    assertThat(hasTimestamp(project, 8)).isTrue();
    assertThat(redis.hget(OnlineStoreKeys.entityKey(project, driver(8)), tripsField())).isNull();
    assertThat(deadLetterReasons(spec(project, topic, format))).containsExactly("malformed");
  }

  @Test
  void protobufMessagesDescribedByADescriptorSet() throws Exception {
    String project = "stream_proto_" + suffix();
    String topic = "rides-proto-" + suffix();
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("rides.proto")
            .setPackage("test.rides")
            .setSyntax("proto3")
            .addDependency("google/protobuf/timestamp.proto")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Ride")
                    .addField(field("driver_id", 1, FieldDescriptorProto.Type.TYPE_INT64, null))
                    .addField(field("trips", 2, FieldDescriptorProto.Type.TYPE_INT64, null))
                    .addField(
                        field(
                            "ts",
                            3,
                            FieldDescriptorProto.Type.TYPE_MESSAGE,
                            ".google.protobuf.Timestamp")))
            .build();
    FileDescriptorProto timestampFile = Timestamp.getDescriptor().getFile().toProto();
    Path descriptorSet = dir.resolve("rides.desc");
    Files.write(
        descriptorSet,
        FileDescriptorSet.newBuilder().addFile(timestampFile).addFile(file).build().toByteArray());
    Descriptor ride =
        FileDescriptor.buildFrom(file, new FileDescriptor[] {Timestamp.getDescriptor().getFile()})
            .findMessageTypeByName("Ride");
    StreamFormat format =
        StreamFormat.newBuilder()
            .setProtoFormat(
                StreamFormat.ProtoFormat.newBuilder()
                    .setClassPath(descriptorSet + ":test.rides.Ride"))
            .build();
    produce(
        topic,
        proto(ride, 11, 3, T1),
        proto(ride, 11, 4, T2),
        proto(ride, 12, 6, null),
        new byte[] {0x0a, 0x05, 0x01});

    StreamIngestionSpec spec = spec(project, topic, format);
    runToEnd(spec);

    assertThat(trips(project, 11)).isEqualTo(4);
    assertThat(deadLetterReasons(spec)).containsExactlyInAnyOrder("malformed", "null_timestamp");
  }

  @Test
  void specsMissingWhatTheStreamNeedsAreRefusedBeforeStarting() {
    StreamIngestionSpec spec = spec("p", "t", StreamFormat.getDefaultInstance());
    assertThatThrownBy(
            () ->
                StreamIngestionJob.start(spark, spec.toBuilder().clearCheckpointLocation().build()))
        .hasMessageContaining("checkpoint_location");
    assertThatThrownBy(
            () -> StreamIngestionJob.start(spark, spec.toBuilder().clearDeadLetterPath().build()))
        .hasMessageContaining("dead_letter_path");
    assertThatThrownBy(
            () ->
                StreamIngestionJob.start(
                    spark, spec.toBuilder().setStartingOffsets("yesterday").build()))
        .hasMessageContaining("starting_offsets");
  }

  @Test
  void aKafkaBrokerRestartUnderARunningJobLosesNoMessageAndAppliesNoneTwice() throws Exception {
    String project = "stream_kafka_restart_" + suffix();
    String topic = "rides-restart-" + suffix();
    createTopic(topic, 2);
    StreamIngestionSpec spec = spec(project, topic, StreamFormat.getDefaultInstance());
    StreamingQuery query = StreamIngestionJob.start(spark, spec);
    long restartMillis;
    try {
      produce(topic, drivers(1_000, 100));
      query.processAllAvailable();

      long restarting = System.nanoTime();
      stack("stop", "kafka");
      stack("start", "kafka");
      restartMillis = (System.nanoTime() - restarting) / 1_000_000;
      produce(topic, drivers(1_100, 100));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (storedDrivers(project, 1_000, 200) < 200 && System.nanoTime() < deadline) {
        assertThat(query.exception().isEmpty())
            .as("the query survives the restart: %s", query.exception())
            .isTrue();
        Thread.sleep(250);
      }
      query.processAllAvailable();
      assertThat(query.isActive()).isTrue();
    } finally {
      query.stop();
    }
    assertThat(storedDrivers(project, 1_000, 200)).as("none lost").isEqualTo(200);
    for (long driver = 1_000; driver < 1_200; driver++) {
      assertThat(trips(project, driver)).isEqualTo(driver);
    }
    assertThat(offlineRows(spec)).as("none applied twice").isEqualTo(200);
    System.out.printf(
        "Kafka broker restarted under a stream job (%d ms down): 200 of 200 messages in Redis,"
            + " %d offline rows%n",
        restartMillis, offlineRows(spec));
  }

  /** {@code count} messages for drivers {@code first..}: trips = the driver's id. */
  private static byte[][] drivers(long first, int count) {
    byte[][] messages = new byte[count][];
    for (int i = 0; i < count; i++) {
      messages[i] = json(first + i, first + i, T1);
    }
    return messages;
  }

  private static int storedDrivers(String project, long first, int count) {
    int stored = 0;
    for (long driver = first; driver < first + count; driver++) {
      if (redis.hget(OnlineStoreKeys.entityKey(project, driver(driver)), tripsField()) != null) {
        stored++;
      }
    }
    return stored;
  }

  /** The project's own scripts/stack, on the stack the tests run against (LARDER_STACK_DIR). */
  private static void stack(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of("..", "scripts", "stack").toAbsolutePath().normalize().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("scripts/stack %s", args).isTrue();
      assertThat(process.exitValue()).as("scripts/stack %s: %s", List.of(args), output).isZero();
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void aPackedTableGetsItsNewestRowPerDriverAsOneString() throws Exception {
    String project = "stream_packed_" + suffix();
    String topic = "rides-packed-" + suffix();
    produce(topic, json(31, 3, T1), json(31, 4, T2), json(32, 5, T1), json(31, 2, T1));
    StreamIngestionSpec hashSpec = spec(project, topic, StreamFormat.getDefaultInstance());
    StreamIngestionSpec packed =
        hashSpec.toBuilder()
            .setTable(
                hashSpec.getTable().toBuilder()
                    .putLabels(OnlineLayout.LABEL, OnlineLayout.PACKED.label()))
            .build();

    runToEnd(packed);

    assertThat(packedTrips(project, 31)).isEqualTo(4);
    assertThat(packedTrips(project, 32)).isEqualTo(5);
    // Nothing in the hash layout.
    assertThat(redis.exists(OnlineStoreKeys.entityKey(project, driver(31)))).isFalse();
  }

  @Test
  void aJobStartedBeforeItsTopicExistsWaitsForItAndThenIngests() throws Exception {
    String project = "stream_wait_" + suffix();
    String topic = "rides-later-" + suffix();
    StreamIngestionSpec spec = spec(project, topic, StreamFormat.getDefaultInstance());
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try {
      Future<StreamingQuery> starting = starter.submit(() -> StreamIngestionJob.start(spark, spec));
      Thread.sleep(3_000);
      assertThat(starting).as("the job waits for the topic").isNotDone();

      createTopic(topic, 1);
      produce(topic, json(21, 4, T1), json(22, 6, T1));
      StreamingQuery query = starting.get(60, TimeUnit.SECONDS);
      try {
        query.processAllAvailable();
        assertThat(query.exception().isEmpty()).isTrue();
      } finally {
        query.stop();
      }
    } finally {
      starter.shutdownNow();
    }
    assertThat(trips(project, 21)).isEqualTo(4);
    assertThat(trips(project, 22)).isEqualTo(6);
  }

  @Test
  void theProgressFileSaysRunningOnceStartedAndCarriesTheTotalsAfterEachBatch() throws Exception {
    String project = "stream_progress_" + suffix();
    String topic = "rides-progress-" + suffix();
    createTopic(topic, 1);
    Path progress = dir.resolve("progress").resolve("rides.json");
    StreamIngestionSpec spec =
        spec(project, topic, StreamFormat.getDefaultInstance()).toBuilder()
            .setProgressPath(progress.toString())
            .build();

    StreamingQuery query = StreamIngestionJob.start(spark, spec);
    try {
      JobResult started = progress(progress);
      assertThat(started.getJob()).isEqualTo("stream_ingestion");
      assertThat(started.getStatus()).isEqualTo("RUNNING");
      assertThat(started.getApplicationId()).isEqualTo(spark.sparkContext().applicationId());
      assertThat(started.getRowsRead()).isZero();

      produce(topic, json(31, 1, T1), json(32, 2, T1), "nope".getBytes(StandardCharsets.UTF_8));
      query.processAllAvailable();

      JobResult afterBatch = progress(progress);
      assertThat(afterBatch.getStatus()).isEqualTo("RUNNING");
      assertThat(afterBatch.getRowsRead()).isEqualTo(3);
      assertThat(afterBatch.getRowsWritten()).isEqualTo(2);
      assertThat(afterBatch.getMessagesMalformed()).isEqualTo(1);
      assertThat(afterBatch.getSeconds()).isGreaterThan(started.getSeconds());
      assertThat(Files.readString(progress)).hasLineCount(1);
      try (var files = Files.list(progress.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no temporary file left beside it")
            .containsExactly("rides.json");
      }
    } finally {
      query.stop();
    }
  }

  @Test
  void jsonStartingOffsetsStartEachPartitionAtItsOffset() throws Exception {
    String project = "stream_offsets_" + suffix();
    String topic = "rides-offsets-" + suffix();
    createTopic(topic, 2);
    produceTo(topic, 0, json(41, 1, T1), json(42, 2, T1));
    produceTo(topic, 1, json(43, 3, T1), json(44, 4, T1), json(45, 5, T1));
    StreamIngestionSpec spec =
        spec(project, topic, StreamFormat.getDefaultInstance()).toBuilder()
            .setStartingOffsets("{\"%s\":{\"0\":1,\"1\":2}}".formatted(topic))
            .build();

    StreamTotals totals = runToEnd(spec);

    assertThat(totals.toResult().getRowsRead()).isEqualTo(2);
    assertThat(hasTimestamp(project, 41)).isFalse();
    assertThat(trips(project, 42)).isEqualTo(2);
    assertThat(hasTimestamp(project, 43)).isFalse();
    assertThat(hasTimestamp(project, 44)).isFalse();
    assertThat(trips(project, 45)).isEqualTo(5);
  }

  /**
   * The orchestrator gives each job generation its own directory under the table's offline path; a
   * batch source naming the table's directory reads them all (stream_job, date and batch_id are
   * discovered as partition columns), even when a later generation added a feature.
   */
  @Test
  void offlineFilesOfTwoJobGenerationsAreOneBatchSource() throws Exception {
    String project = "stream_lake_" + suffix();
    String topic = "rides-lake-" + suffix();
    createTopic(topic, 1);
    Path lakeTable = dir.resolve("lake").resolve("rides");
    StreamIngestionSpec first =
        spec(project, topic, StreamFormat.getDefaultInstance()).toBuilder()
            .setOfflinePath(lakeTable.resolve("stream_job=gen1").toString())
            .setCheckpointLocation(dir.resolve("gen1/checkpoint").toString())
            .build();
    produce(topic, json(51, 1, T1), json(52, 2, T1));
    runToEnd(first);

    // The second generation's table has a feature more; it starts where the first got to.
    FeatureTableSpec withRating =
        first.getTable().toBuilder()
            .addFeatures(
                FeatureSpecV2.newBuilder().setName("rating").setValueType(ValueType.Enum.DOUBLE))
            .build();
    StreamIngestionSpec second =
        first.toBuilder()
            .setTable(withRating)
            .setOfflinePath(lakeTable.resolve("stream_job=gen2").toString())
            .setCheckpointLocation(dir.resolve("gen2/checkpoint").toString())
            .setStartingOffsets("{\"%s\":{\"0\":2}}".formatted(topic))
            .build();
    produce(
        topic,
        "{\"driver_id\": 51, \"trips\": 3, \"rating\": 4.5, \"ts\": \"%s\"}"
            .formatted(T2)
            .getBytes(StandardCharsets.UTF_8),
        json(53, 7, NEXT_DAY));
    assertThat(runToEnd(second).toResult().getRowsRead()).isEqualTo(2);

    String batchProject = project + "_batch";
    FeatureTableSpec batchTable =
        withRating.toBuilder()
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .putFieldMapping("driver_id", "driver")
                    .setEventTimestampColumn("ts")
                    .setDatePartitionColumn("date")
                    .setFileOptions(
                        DataSource.FileOptions.newBuilder().setFileUrl(lakeTable.toString())))
            .build();
    JobResult batch =
        BatchIngestionJob.run(
            spark,
            BatchIngestionSpec.newBuilder()
                .setProject(batchProject)
                .setTable(batchTable)
                .addAllEntities(first.getEntitiesList())
                .setRedis(first.getRedis())
                .setStart(timestamp(T1))
                .setEnd(timestamp(T3))
                .build());

    // Driver 53's day is out of range, its date partition never read.
    assertThat(batch.getRowsRead()).isEqualTo(3);
    assertThat(trips(batchProject, 51)).isEqualTo(3);
    assertThat(
            Value.parseFrom(
                    redis.hget(
                        OnlineStoreKeys.entityKey(batchProject, driver(51)),
                        OnlineStoreKeys.featureField("rides", "rating")))
                .getDoubleVal())
        .isEqualTo(4.5);
    assertThat(trips(batchProject, 52)).isEqualTo(2);
    assertThat(hasTimestamp(batchProject, 53)).isFalse();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private StreamIngestionSpec spec(String project, String topic, StreamFormat format) {
    return StreamFixtures.spec(project, topic, format, dir);
  }

  /** Runs the job until everything in the topic is processed, then stops it. */
  private static StreamTotals runToEnd(StreamIngestionSpec spec) throws Exception {
    StreamTotals totals = new StreamTotals();
    StreamingQuery query = StreamIngestionJob.start(spark, spec, totals);
    try {
      query.processAllAvailable();
      assertThat(query.exception().isEmpty()).isTrue();
    } finally {
      query.stop();
    }
    return totals;
  }

  private static byte[] avro(Schema schema, long driver, Long trips, Instant ts) throws Exception {
    GenericRecord record = new GenericData.Record(schema);
    record.put("driver_id", driver);
    record.put("trips", trips);
    record.put("ts", ts.toEpochMilli());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] proto(Descriptor ride, long driver, long trips, Instant ts) {
    DynamicMessage.Builder message =
        DynamicMessage.newBuilder(ride)
            .setField(ride.findFieldByName("driver_id"), driver)
            .setField(ride.findFieldByName("trips"), trips);
    if (ts != null) {
      message.setField(
          ride.findFieldByName("ts"),
          Timestamp.newBuilder().setSeconds(ts.getEpochSecond()).build());
    }
    return message.build().toByteArray();
  }

  private static FieldDescriptorProto field(
      String name, int number, FieldDescriptorProto.Type type, String typeName) {
    FieldDescriptorProto.Builder field =
        FieldDescriptorProto.newBuilder()
            .setName(name)
            .setNumber(number)
            .setType(type)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    if (typeName != null) {
      field.setTypeName(typeName);
    }
    return field.build();
  }

  private static Map<String, Value> driver(long id) {
    return Map.of("driver", Value.newBuilder().setInt64Val(id).build());
  }

  private static byte[] tripsField() {
    return OnlineStoreKeys.featureField("rides", "trips");
  }

  private static long trips(String project, long driver) throws Exception {
    byte[] stored = redis.hget(OnlineStoreKeys.entityKey(project, driver(driver)), tripsField());
    assertThat(stored).as("trips of driver %d", driver).isNotNull();
    return Value.parseFrom(stored).getInt64Val();
  }

  private static long packedTrips(String project, long driver) throws Exception {
    byte[] stored =
        redis.get(
            PackedRows.key(
                PackedRows.keyPrefix("rides"), OnlineStoreKeys.entityKey(project, driver(driver))));
    assertThat(stored).as("packed row of driver %d", driver).isNotNull();
    PackedRow row = PackedRow.parseFrom(stored);
    assertThat(row.getFeaturesList())
        .singleElement()
        .satisfies(f -> assertThat(f.getId()).isEqualTo(PackedRows.featureId("rides", "trips")));
    return row.getFeatures(0).getValue().getInt64Val();
  }

  private static boolean hasTimestamp(String project, long driver) {
    return redis.hget(
            OnlineStoreKeys.entityKey(project, driver(driver)),
            OnlineStoreKeys.timestampField("rides"))
        != null;
  }

  private static List<String> deadLetterReasons(StreamIngestionSpec spec) {
    List<String> reasons = new ArrayList<>();
    if (!Files.exists(Path.of(spec.getDeadLetterPath()))) {
      return reasons;
    }
    for (Row row :
        spark
            .read()
            .parquet(spec.getDeadLetterPath())
            .select(StreamIngestionJob.REASON)
            .collectAsList()) {
      reasons.add(row.getString(0));
    }
    return reasons;
  }

  private static long offlineRows(StreamIngestionSpec spec) {
    return spark.read().parquet(spec.getOfflinePath()).count();
  }

  private static JobResult progress(Path path) {
    return JobSpecs.parse(path.toString(), JobResult.newBuilder());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
