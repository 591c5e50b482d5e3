package io.larder.jobs.sdk;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.jobs.batch.BatchIngestionJob;
import io.larder.jobs.historical.HistoricalRetrievalJob;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.RedisTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Larder from a Spark application: training data by point-in-time join, and DataFrames written to
 * the online store, by the same code the Larder Spark jobs run.
 *
 * <pre>{@code
 * try (LarderSpark larder = LarderSpark.connect("localhost:6565").project("rides").build()) {
 *   Dataset<Row> training = larder.historicalFeatures(entityRows, List.of("driver_stats:trips"));
 *   JobResult written = larder.ingestToOnline(statsRows, "driver_stats");
 * }
 * }</pre>
 *
 * <p>Specs are read on the driver at each call, so a call sees the registry's current definitions.
 */
public final class LarderSpark implements AutoCloseable {

  public static final String DEFAULT_PROJECT = "default";
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  public static final Duration DEFAULT_REGISTRY_DEADLINE = Duration.ofSeconds(10);

  private final FeatureSpecs specs;
  private final String project;
  private final RedisTarget redis;

  private LarderSpark(FeatureSpecs specs, String project, RedisTarget redis) {
    this.specs = specs;
    this.project = project;
    this.redis = redis;
  }

  /**
   * Specs from the registry at {@code registryTarget} ({@code host:port}, plain text), which speaks
   * Feast 0.9's {@code feast.core.CoreService}. Nothing connects before the first call.
   */
  public static Builder connect(String registryTarget) {
    if (registryTarget == null || registryTarget.isBlank()) {
      throw new IllegalArgumentException("registryTarget is required (host:port)");
    }
    return new Builder(
        deadline ->
            new RegistrySpecs(
                NettyChannelBuilder.forTarget(registryTarget).usePlaintext().build(),
                registryTarget,
                deadline));
  }

  /** As {@link #connect(String)} over a channel the caller made (tests: an in-process one). */
  static Builder connect(ManagedChannel channel, String registryTarget) {
    return new Builder(deadline -> new RegistrySpecs(channel, registryTarget, deadline));
  }

  /**
   * The given specs instead of a registry: no network call but Redis, whatever the project. A table
   * or entity that is not given is not found, as in a registry.
   */
  public static Builder withSpecs(
      Collection<FeatureTableSpec> tables, Collection<EntitySpecV2> entities) {
    GivenSpecs given = new GivenSpecs(List.copyOf(tables), List.copyOf(entities));
    return new Builder(deadline -> given);
  }

  /**
   * The point-in-time join the historical retrieval job runs, as a dataset: per entity row and
   * requested feature, the value of the latest row of the feature's table with the same entity key
   * whose event time is at or before the entity row's and within the table's max_age (null when
   * there is none), ties broken by the later created time.
   *
   * <p>The result has every column of {@code entities}, then one column {@code <table>__<feature>}
   * per reference, in order. Feature rows are read from each table's batch source. Computing the
   * entity rows' time range runs one Spark job before this returns, and the join reads the entity
   * rows again: cache them when they are expensive to compute.
   *
   * @param entities an {@code event_timestamp} column (timestamp, date, ISO-8601 text or epoch
   *     seconds) and a column per entity of the referenced tables, named as the entity; any other
   *     column is carried along
   * @param featureRefs Feast 0.9 references, {@code table:feature}
   * @throws SpecNotFoundException a referenced table or feature, or an entity of a table, is
   *     unknown in the project
   * @throws RegistryUnavailableException the registry could not be reached in time
   * @throws IllegalArgumentException a malformed reference, or {@code entities} lacks a column
   */
  public Dataset<Row> historicalFeatures(Dataset<Row> entities, List<String> featureRefs) {
    Objects.requireNonNull(entities, "entities");
    List<FeatureRef> refs = FeatureRef.parseAll(featureRefs);
    Map<String, FeatureTableSpec> tables = new LinkedHashMap<>();
    for (FeatureRef ref : refs) {
      FeatureTableSpec table =
          tables.computeIfAbsent(ref.table(), name -> specs.table(project, name));
      requireFeature(table, ref.feature());
    }
    HistoricalRetrievalSpec spec =
        HistoricalRetrievalSpec.newBuilder()
            .setProject(project)
            .addAllTables(tables.values())
            .addAllEntities(entitySpecs(tables.values()))
            .addAllFeatures(featureRefs)
            .build();
    return HistoricalRetrievalJob.join(entities, spec);
  }

  /**
   * Writes {@code rows} into the online store exactly as batch ingestion writes the table's batch
   * source: the newest row per entity key (event time, then created time), never replacing a newer
   * stored row; rows with a null key or time, or a value not of the declared type, are skipped and
   * counted.
   *
   * @param rows rows shaped like the table's batch source: its column names (the source's
   *     field_mapping and event/created timestamp columns apply)
   * @param table the feature table's name
   * @return the counts: {@code rows_read}, {@code rows_written}, {@code rows_not_newer} and the
   *     {@code rows_skipped_*} by reason
   * @throws SpecNotFoundException the table, or one of its entities, is unknown in the project
   * @throws RegistryUnavailableException the registry could not be reached in time
   * @throws IllegalArgumentException {@code rows} lacks a column the table's source names
   */
  public JobResult ingestToOnline(Dataset<Row> rows, String table) {
    Objects.requireNonNull(rows, "rows");
    if (table == null || table.isBlank()) {
      throw new IllegalArgumentException("table is required");
    }
    FeatureTableSpec spec = specs.table(project, table);
    return BatchIngestionJob.ingest(
        rows,
        BatchIngestionSpec.newBuilder()
            .setProject(project)
            .setTable(spec)
            .addAllEntities(entitySpecs(List.of(spec)))
            .setRedis(redis)
            .build());
  }

  /** Closes the registry channel, if any. */
  @Override
  public void close() {
    specs.close();
  }

  private void requireFeature(FeatureTableSpec table, String feature) {
    List<String> names = table.getFeaturesList().stream().map(FeatureSpecV2::getName).toList();
    if (!names.contains(feature)) {
      throw new SpecNotFoundException(
          "feature '%s' not found in feature table '%s' of project '%s' (its features: %s)"
              .formatted(feature, table.getName(), project, String.join(", ", names)));
    }
  }

  /** The specs of the tables' entities, each once; one lookup for all of them. */
  private List<EntitySpecV2> entitySpecs(Collection<FeatureTableSpec> tables) {
    Map<String, EntitySpecV2> known = specs.entities(project);
    Map<String, EntitySpecV2> needed = new LinkedHashMap<>();
    for (FeatureTableSpec table : tables) {
      for (String name : table.getEntitiesList()) {
        EntitySpecV2 entity = known.get(name);
        if (entity == null) {
          throw new SpecNotFoundException(
              "entity '%s' (a key of feature table '%s') not found in project '%s'"
                  .formatted(name, table.getName(), project));
        }
        needed.put(name, entity);
      }
    }
    return new ArrayList<>(needed.values());
  }

  /** Options of a {@link LarderSpark}; every one has a default. */
  public static final class Builder {

    private final Function<Duration, FeatureSpecs> specs;
    private String project = DEFAULT_PROJECT;
    private String redisUri = DEFAULT_REDIS_URI;
    private boolean redisCluster;
    private Duration registryDeadline = DEFAULT_REGISTRY_DEADLINE;

    private Builder(Function<Duration, FeatureSpecs> specs) {
      this.specs = specs;
    }

    /**
     * The project whose tables and entities are used; blank means {@value
     * LarderSpark#DEFAULT_PROJECT}.
     */
    public Builder project(String project) {
      this.project = project == null || project.isBlank() ? DEFAULT_PROJECT : project;
      return this;
    }

    /**
     * The online store {@link LarderSpark#ingestToOnline} writes, default {@value
     * LarderSpark#DEFAULT_REDIS_URI}: {@code redis://host:port}, or comma-separated {@code
     * host:port} seeds with {@link #redisCluster}.
     */
    public Builder redisUri(String redisUri) {
      if (redisUri == null || redisUri.isBlank()) {
        throw new IllegalArgumentException("redisUri must not be blank");
      }
      this.redisUri = redisUri;
      return this;
    }

    /** The online store is a Redis Cluster (default: a standalone server). */
    public Builder redisCluster(boolean redisCluster) {
      this.redisCluster = redisCluster;
      return this;
    }

    /** How long each registry call may take, default 10 s. */
    public Builder registryDeadline(Duration registryDeadline) {
      if (registryDeadline == null || registryDeadline.isNegative() || registryDeadline.isZero()) {
        throw new IllegalArgumentException("registryDeadline must be positive");
      }
      this.registryDeadline = registryDeadline;
      return this;
    }

    public LarderSpark build() {
      return new LarderSpark(
          specs.apply(registryDeadline),
          project,
          RedisTarget.newBuilder().setUri(redisUri).setCluster(redisCluster).build());
    }
  }
}
