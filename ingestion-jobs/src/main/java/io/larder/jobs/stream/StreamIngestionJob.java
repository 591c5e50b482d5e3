package io.larder.jobs.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larder.jobs.online.OnlineIngestion;
import io.larder.jobs.online.OnlineIngestion.WriteCounts;
import io.larder.jobs.source.FeatureSource;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.MessageFormat;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Utils;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to the online store, for as long as it runs: each micro-batch is decoded, its newest row
 * per entity written newest-wins, undecodable or invalid messages written to the dead-letter path,
 * and (optionally) the valid rows appended to the offline store.
 *
 * <p>Restarts resume from the checkpoint. A micro-batch that is replayed after a crash has the same
 * offsets and id: Redis ignores rows that are not newer, and the dead-letter and offline files of a
 * batch live in its own {@code batch_id} partition, overwritten on replay, so nothing is applied
 * twice and nothing is lost.
 */
public final class StreamIngestionJob {

  private static final Logger log = LoggerFactory.getLogger(StreamIngestionJob.class);

  /** Offset fetches, 1 s apart, before an unreachable broker fails the query (2 minutes). */
  static final int OFFSET_FETCH_ATTEMPTS = 120;

  /** Dead-letter columns besides the message's own bytes. */
  public static final String REASON = "reason";

  public static final String BATCH_ID = "batch_id";
  static final String MALFORMED = "malformed";
  private static final String MESSAGE = "_message";
  private static final Duration TOPIC_POLL = Duration.ofSeconds(1);
  private static final Duration TOPIC_WAIT_LOG_EVERY = Duration.ofSeconds(60);
  private static final List<String> KAFKA_COLUMNS =
      List.of("_value", "_topic", "_partition", "_offset", "_kafka_timestamp", "_malformed");

  private StreamIngestionJob() {}

  /** Runs until the query stops or fails (the CLI's entry point). */
  public static JobResult run(SparkSession spark, StreamIngestionSpec spec)
      throws TimeoutException, InterruptedException {
    StreamTotals totals = new StreamTotals();
    StreamingQuery query = start(spark, spec, totals);
    String error = null;
    try {
      query.awaitTermination();
    } catch (StreamingQueryException e) {
      error = e.getMessage();
    }
    // The totals as the query left them (read after it ended, not when it started).
    JobResult.Builder result = totals.toResult().setJob("stream_ingestion");
    if (error == null) {
      result.setStatus("SUCCEEDED");
    } else {
      result.setStatus("FAILED").setError(error);
    }
    return result.setSeconds(totals.seconds()).build();
  }

  /** Starts the streaming query and returns it running. */
  public static StreamingQuery start(SparkSession spark, StreamIngestionSpec spec)
      throws TimeoutException, InterruptedException {
    return start(spark, spec, new StreamTotals());
  }

  /**
   * Starts the streaming query, summing what its batches do into {@code totals}. Waits first, for
   * as long as it takes, until the topic exists (see {@link TopicWait}); a stopped SparkContext
   * ends the wait with a {@link java.util.concurrent.CancellationException}.
   */
  public static StreamingQuery start(
      SparkSession spark, StreamIngestionSpec spec, StreamTotals totals)
      throws TimeoutException, InterruptedException {
    validate(spec);
    FeatureTableSpec table = spec.getTable();
    DataSource stream = table.getStreamSource();
    List<EntitySpecV2> entities = spec.getEntitiesList();
    MessageFormat format = MessageDecoder.formatOf(spec.getMessageFormat(), stream);

    Dataset<Row> messages =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", stream.getKafkaOptions().getBootstrapServers())
            .option("subscribe", stream.getKafkaOptions().getTopic())
            .option(
                "startingOffsets",
                spec.getStartingOffsets().isBlank() ? "earliest" : spec.getStartingOffsets())
            // Spark gives up on a broker after 3 offset fetches 1 s apart and fails the query;
            // a broker restart (or a leader election) takes longer than that.
            .option("fetchOffset.numRetries", String.valueOf(OFFSET_FETCH_ATTEMPTS))
            .option("fetchOffset.retryIntervalMs", "1000")
            .load();
    Column decoded = MessageDecoder.decode(col("value"), format, table, entities);
    Dataset<Row> parsed =
        messages.select(
            decoded.as(MESSAGE),
            col("value").as("_value"),
            col("topic").as("_topic"),
            col("partition").as("_partition"),
            col("offset").as("_offset"),
            col("timestamp").as("_kafka_timestamp"));
    Column malformed = col(MESSAGE).isNull();
    if (format.hasAvro()) {
      malformed =
          malformed.or(
              not(
                  udf(new AvroDecodable(format.getAvro().getSchemaJson()), DataTypes.BooleanType)
                      .apply(col("_value"))));
    } else {
      malformed = malformed.or(col(MESSAGE + "." + MessageDecoder.CORRUPT).isNotNull());
    }
    Dataset<Row> flat =
        parsed.select(
            col(MESSAGE + ".*"),
            col("_value"),
            col("_topic"),
            col("_partition"),
            col("_offset"),
            col("_kafka_timestamp"),
            malformed.as("_malformed"));
    Dataset<Row> rows =
        FeatureSource.canonical(flat, table, stream, entities, null, null, KAFKA_COLUMNS);

    StreamProgress progress =
        spec.getProgressPath().isBlank()
            ? null
            : new StreamProgress(
                spec.getProgressPath(), spark.sparkContext().applicationId(), totals);
    MicroBatchWriter writer = new MicroBatchWriter(spec, totals, progress);
    DataStreamWriter<Row> query =
        rows.writeStream()
            .queryName(queryName(table))
            .option("checkpointLocation", spec.getCheckpointLocation())
            .foreachBatch((VoidFunction2<Dataset<Row>, Long>) writer::write);
    if (spec.getTriggerIntervalMs() > 0) {
      query = query.trigger(Trigger.ProcessingTime(spec.getTriggerIntervalMs()));
    }
    awaitTopic(spark, stream.getKafkaOptions());
    if (progress != null) {
      spark.streams().addListener(new ReadyOnIdle(queryName(table), totals, progress));
    }
    StreamingQuery started = query.start();
    if (progress != null) {
      progress.write();
    }
    log.info(
        "stream ingestion of table {} from topic {} started (checkpoint {}, dead letters {}{})",
        table.getName(),
        stream.getKafkaOptions().getTopic(),
        spec.getCheckpointLocation(),
        spec.getDeadLetterPath(),
        spec.getOfflinePath().isBlank() ? "" : ", offline store " + spec.getOfflinePath());
    return started;
  }

  private static String queryName(FeatureTableSpec table) {
    return "stream-ingestion-" + table.getName();
  }

  /**
   * Marks the job ready when its query finds its topic idle (Spark reports that every {@code
   * spark.sql.streaming.noDataProgressEventInterval}): without new messages no batch completes, yet
   * the job is reading the topic.
   */
  private static final class ReadyOnIdle extends StreamingQueryListener {
    private final String queryName;
    private final StreamTotals totals;
    private final StreamProgress progress;
    private volatile java.util.UUID queryId;

    ReadyOnIdle(String queryName, StreamTotals totals, StreamProgress progress) {
      this.queryName = queryName;
      this.totals = totals;
      this.progress = progress;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
      if (queryName.equals(event.name())) {
        queryId = event.id();
      }
    }

    @Override
    public void onQueryIdle(QueryIdleEvent event) {
      if (!totals.ready() && event.id().equals(queryId)) {
        totals.markReady();
        progress.write();
      }
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {}

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}
  }

  private static void awaitTopic(SparkSession spark, DataSource.KafkaOptions kafka)
      throws InterruptedException {
    try (KafkaTopicProbe probe = new KafkaTopicProbe(kafka.getBootstrapServers())) {
      TopicWait.await(
          probe,
          kafka.getTopic(),
          kafka.getBootstrapServers(),
          TOPIC_POLL,
          TOPIC_WAIT_LOG_EVERY,
          spark.sparkContext()::isStopped);
    }
  }

  static void validate(StreamIngestionSpec spec) {
    FeatureTableSpec table = spec.getTable();
    if (table.getName().isBlank()) {
      throw new IllegalArgumentException("table.name is required");
    }
    DataSource stream = table.getStreamSource();
    if (!stream.hasKafkaOptions()
        || stream.getKafkaOptions().getBootstrapServers().isBlank()
        || stream.getKafkaOptions().getTopic().isBlank()) {
      throw new IllegalArgumentException(
          "feature table '"
              + table.getName()
              + "': stream_source.kafka_options with bootstrap_servers and topic is required");
    }
    for (String server : stream.getKafkaOptions().getBootstrapServers().split(",")) {
      // Kafka's own parsing: an entry it cannot read would otherwise be waited on forever.
      if (!server.isBlank()
          && (Utils.getHost(server.strip()) == null || Utils.getPort(server.strip()) == null)) {
        throw new IllegalArgumentException(
            "feature table '%s': stream_source.kafka_options.bootstrap_servers entry '%s' is not host:port"
                .formatted(table.getName(), server.strip()));
      }
    }
    if (stream.getEventTimestampColumn().isBlank()) {
      throw new IllegalArgumentException(
          "feature table '"
              + table.getName()
              + "': stream_source.event_timestamp_column is required");
    }
    if (spec.getRedis().getUri().isBlank()) {
      throw new IllegalArgumentException("redis.uri is required");
    }
    if (spec.getCheckpointLocation().isBlank()) {
      throw new IllegalArgumentException(
          "checkpoint_location is required (a restarted job resumes from it)");
    }
    if (spec.getDeadLetterPath().isBlank()) {
      throw new IllegalArgumentException(
          "dead_letter_path is required (undecodable messages are kept there, never dropped)");
    }
    String offsets = spec.getStartingOffsets();
    if (!offsets.isBlank() && !offsets.equals("earliest") && !offsets.equals("latest")) {
      if (!offsets.strip().startsWith("{")) {
        throw new IllegalArgumentException(
            "starting_offsets must be 'earliest', 'latest' or per-partition JSON"
                + " ({\"<topic>\":{\"0\":42}}), got '"
                + offsets
                + "'");
      }
      checkPartitionOffsets(offsets, stream.getKafkaOptions().getTopic());
    }
  }

  /**
   * Spark's per-partition starting offsets: the subscribed topic only, partition number to offset
   * (-2 earliest, -1 latest). Checked here so a wrong one is a bad spec, not a failed query.
   */
  private static void checkPartitionOffsets(String json, String topic) {
    JsonNode offsets;
    try {
      offsets = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "starting_offsets is not valid JSON: " + e.getOriginalMessage(), e);
    }
    List<String> topics = new ArrayList<>();
    offsets.fieldNames().forEachRemaining(topics::add);
    if (!offsets.isObject() || !topics.equals(List.of(topic))) {
      throw new IllegalArgumentException(
          "starting_offsets must give offsets for topic '%s' only, got topics %s"
              .formatted(topic, topics));
    }
    JsonNode partitions = offsets.get(topic);
    if (!partitions.isObject() || partitions.isEmpty()) {
      throw new IllegalArgumentException(
          "starting_offsets for topic '%s' must map partition numbers to offsets, got %s"
              .formatted(topic, partitions));
    }
    partitions
        .fields()
        .forEachRemaining(
            partition -> {
              if (!partition.getKey().matches("[0-9]+")
                  || !partition.getValue().canConvertToLong()
                  || !partition.getValue().isIntegralNumber()
                  || partition.getValue().asLong() < -2) {
                throw new IllegalArgumentException(
                    "starting_offsets for topic '%s': partition '%s' has offset %s (expected a partition number and an offset >= 0, or -2 earliest, -1 latest)"
                        .formatted(topic, partition.getKey(), partition.getValue()));
              }
            });
  }

  /** What one micro-batch does; serializable because Spark keeps the function. */
  private static final class MicroBatchWriter implements java.io.Serializable {
    private final byte[] spec;
    // foreachBatch runs on the driver: the totals are the caller's own object.
    private final transient StreamTotals totals;
    private final transient StreamProgress progress;

    MicroBatchWriter(StreamIngestionSpec spec, StreamTotals totals, StreamProgress progress) {
      this.spec = spec.toByteArray();
      this.totals = totals;
      this.progress = progress;
    }

    /**
     * The online write comes right after one aggregate that counts the batch, so an event is served
     * as early as the batch allows; dead letters, offline rows and progress follow, all before the
     * batch commits.
     */
    void write(Dataset<Row> batch, long batchId) throws Exception {
      StreamIngestionSpec spec = StreamIngestionSpec.parseFrom(this.spec);
      FeatureTableSpec table = spec.getTable();
      long started = System.nanoTime();
      batch.persist();
      try {
        Column reason =
            when(col("_malformed"), lit(MALFORMED)).otherwise(col(FeatureSource.REJECT));
        BatchCounts batchCounts = BatchCounts.of(batch, reason, table);
        long counted = System.nanoTime();

        List<Column> canonical = new ArrayList<>();
        FeatureSource.columns(table).stream()
            .filter(name -> !name.equals(FeatureSource.REJECT))
            .forEach(name -> canonical.add(FeatureSource.column(name)));
        Dataset<Row> valid = batch.where(reason.isNull()).select(canonical.toArray(Column[]::new));
        WriteCounts counts =
            batchCounts.valid() == 0
                ? new WriteCounts(0, 0)
                : OnlineIngestion.write(
                    valid,
                    spec.getProject(),
                    table,
                    spec.getEntitiesList(),
                    spec.getRedis(),
                    batchCounts.oneRowPerKey());
        long online = System.nanoTime();

        if (batchCounts.deadLetters() > 0) {
          overwriteBatch(
              deadLetters(batch, reason, batchId), spec.getDeadLetterPath(), List.of(BATCH_ID));
        }
        if (!spec.getOfflinePath().isBlank() && batchCounts.valid() > 0) {
          overwriteBatch(
              offlineRows(valid, table, batchId),
              spec.getOfflinePath(),
              List.of(dateColumn(table), BATCH_ID));
        }
        long filed = System.nanoTime();
        if (totals != null) {
          totals.add(
              batchCounts.messages(),
              counts.written(),
              counts.notNewer(),
              batchCounts.deadByReason());
          totals.markReady();
        }
        if (progress != null) {
          progress.write();
        }
        log.info(
            "stream ingestion {} batch {}: {} messages, {} written, {} not newer, dead letters {}"
                + " in {} ms (count {}, online {}, dead letters + offline {}); since start: {}",
            table.getName(),
            batchId,
            batchCounts.messages(),
            counts.written(),
            counts.notNewer(),
            batchCounts.deadByReason(),
            millis(started, System.nanoTime()),
            millis(started, counted),
            millis(counted, online),
            millis(online, filed),
            totals);
      } finally {
        batch.unpersist();
      }
    }
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }

  private static Dataset<Row> deadLetters(Dataset<Row> batch, Column reason, long batchId) {
    return batch
        .where(reason.isNotNull())
        .select(
            col("_topic").as("topic"),
            col("_partition").as("partition"),
            col("_offset").as("offset"),
            col("_kafka_timestamp").as("kafka_timestamp"),
            col("_value").as("value"),
            reason.as(REASON),
            lit(batchId).as(BATCH_ID));
  }

  /**
   * A micro-batch's sizes from one aggregate: messages, dead letters by reason, and whether the
   * valid rows hold one row per entity key (then the online write needs no grouping).
   */
  record BatchCounts(long messages, Map<String, Long> deadByReason, boolean oneRowPerKey) {

    private static final List<String> REASONS =
        List.of(
            MALFORMED,
            FeatureSource.NULL_ENTITY,
            FeatureSource.NULL_TIMESTAMP,
            FeatureSource.WRONG_TYPE);

    static BatchCounts of(Dataset<Row> batch, Column reason, FeatureTableSpec table) {
      List<Column> aggregates = new ArrayList<>();
      aggregates.add(count(lit(1)));
      Column[] keys = OnlineIngestion.keyColumns(table).toArray(Column[]::new);
      aggregates.add(count_distinct(when(reason.isNull(), struct(keys))));
      REASONS.forEach(r -> aggregates.add(count(when(reason.equalTo(lit(r)), lit(1)))));
      Row row =
          batch
              .agg(
                  aggregates.get(0),
                  aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
              .first();
      Map<String, Long> dead = new HashMap<>();
      for (int i = 0; i < REASONS.size(); i++) {
        long n = row.getLong(2 + i);
        if (n > 0) {
          dead.put(REASONS.get(i), n);
        }
      }
      long messages = row.getLong(0);
      long deadLetters = dead.values().stream().mapToLong(Long::longValue).sum();
      return new BatchCounts(messages, dead, row.getLong(1) == messages - deadLetters);
    }

    long deadLetters() {
      return deadByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    long valid() {
      return messages - deadLetters();
    }
  }

  /** Writes a batch's partitions, replacing only those (so a replayed batch overwrites itself). */
  private static void overwriteBatch(Dataset<Row> rows, String path, List<String> partitions) {
    rows.write()
        .mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(partitions.toArray(String[]::new))
        .parquet(path);
  }

  /** Offline rows carry the stream source's own column names, so a batch source can read them. */
  private static Dataset<Row> offlineRows(
      Dataset<Row> valid, FeatureTableSpec table, long batchId) {
    DataSource stream = table.getStreamSource();
    Map<String, String> sourceColumnOf = FeatureSource.sourceColumns(stream);
    List<Column> columns = new ArrayList<>();
    table
        .getEntitiesList()
        .forEach(e -> columns.add(FeatureSource.column(e).as(sourceColumnOf.getOrDefault(e, e))));
    table
        .getFeaturesList()
        .forEach(
            f ->
                columns.add(
                    FeatureSource.column(f.getName())
                        .as(sourceColumnOf.getOrDefault(f.getName(), f.getName()))));
    columns.add(col(FeatureSource.EVENT_TIMESTAMP).as(stream.getEventTimestampColumn()));
    if (!stream.getCreatedTimestampColumn().isBlank()) {
      columns.add(col(FeatureSource.CREATED_TIMESTAMP).as(stream.getCreatedTimestampColumn()));
    }
    columns.add(to_date(col(FeatureSource.EVENT_TIMESTAMP)).cast("string").as(dateColumn(table)));
    columns.add(lit(batchId).as(BATCH_ID));
    return valid.select(columns.toArray(Column[]::new));
  }

  /** The stream source's date partition column, else {@code date}. */
  static String dateColumn(FeatureTableSpec table) {
    String named = table.getStreamSource().getDatePartitionColumn();
    return named.isBlank() ? "date" : named;
  }
}
