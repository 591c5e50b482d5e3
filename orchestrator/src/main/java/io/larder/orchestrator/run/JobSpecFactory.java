package io.larder.orchestrator.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.launcher.JobFiles;
import io.larder.orchestrator.registry.TableLabels;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.EntitySource;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import io.larder.proto.larder.JobsProto.MessageFormat;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The larder.jobs specs the orchestrator hands to Spark, built from the registry's specs. */
@Component
class JobSpecFactory {

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final OrchestratorProperties properties;

  JobSpecFactory(OrchestratorProperties properties) {
    this.properties = properties;
  }

  BatchIngestionSpec batch(
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      Timestamp start,
      Timestamp end) {
    return BatchIngestionSpec.newBuilder()
        .setProject(project)
        .setTable(table)
        .addAllEntities(used(entities, table.getEntitiesList()))
        .setStart(start)
        .setEnd(end)
        .setRedis(redis())
        // One directory per table; each run's rows carry its ingested_at.
        .setDeadLetterPath(deadLetters(project, table.getName()).resolve("batch").toString())
        .build();
  }

  LayoutMigrationSpec layoutMigration(
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      String fromLayout,
      String toLayout,
      String jobId) {
    JobFiles files = JobFiles.of(properties.homeDir(), jobId);
    return LayoutMigrationSpec.newBuilder()
        .setProject(project)
        .setTable(table)
        .addAllEntities(used(entities, table.getEntitiesList()))
        .setRedis(redis())
        .setFromLayout(fromLayout)
        .setToLayout(toLayout)
        .setProgressPath(files.progress().toString())
        .setProceedPath(files.proceed().toString())
        .build();
  }

  /** Whether the online store the jobs write is a Redis Cluster. */
  boolean clusterStore() {
    return properties.redis().cluster();
  }

  StreamIngestionSpec stream(
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      String jobId,
      String startingOffsets) {
    StreamIngestionSpec.Builder spec =
        StreamIngestionSpec.newBuilder()
            .setProject(project)
            .setTable(table)
            .addAllEntities(used(entities, table.getEntitiesList()))
            .setRedis(redis())
            .setCheckpointLocation(checkpoint(project, table.getName(), jobId).toString())
            .setDeadLetterPath(
                deadLetters(project, table.getName()).resolve("stream_job=" + jobId).toString())
            .setOfflinePath(offlinePath(project, table.getName(), jobId).toString())
            .setTriggerIntervalMs(properties.stream().triggerInterval().toMillis())
            .setStartingOffsets(startingOffsets)
            .setProgressPath(JobFiles.of(properties.homeDir(), jobId).progress().toString());
    if (TableLabels.streamsJson(table)) {
      spec.setMessageFormat(
          MessageFormat.newBuilder().setJson(MessageFormat.Json.getDefaultInstance()));
    }
    return spec.build();
  }

  HistoricalRetrievalSpec retrieval(
      String project,
      Collection<FeatureTableSpec> tables,
      List<EntitySpecV2> entities,
      String entityPath,
      FileFormatOverride entityFormat,
      List<String> features,
      String outputPath) {
    Set<String> entityNames =
        tables.stream()
            .flatMap(table -> table.getEntitiesList().stream())
            .collect(java.util.stream.Collectors.toSet());
    return HistoricalRetrievalSpec.newBuilder()
        .setProject(project)
        .addAllTables(tables)
        .addAllEntities(used(entities, entityNames))
        .setEntitySource(EntitySource.newBuilder().setPath(entityPath).setFileFormat(entityFormat))
        .addAllFeatures(features)
        .setOutputPath(outputPath)
        .build();
  }

  /** Where a stream job keeps its offsets; one per job, so replaced jobs never share one. */
  Path checkpoint(String project, String table, String jobId) {
    return properties
        .homeDir()
        .resolve("checkpoints")
        .resolve(project)
        .resolve(table)
        .resolve(jobId);
  }

  /**
   * Where a stream job appends its rows for training: one directory per job under the table's, so a
   * batch source reading {@code <offline store>/<project>/<table>} sees every job's rows.
   */
  Path offlinePath(String project, String table, String jobId) {
    return properties
        .offlineStoreRoot()
        .resolve(project)
        .resolve(table)
        .resolve("stream_job=" + jobId);
  }

  private Path deadLetters(String project, String table) {
    return properties.homeDir().resolve("dead-letters").resolve(project).resolve(table);
  }

  static String json(Message spec) {
    try {
      return JSON.print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("job spec not printable as JSON", e);
    }
  }

  private RedisTarget redis() {
    OrchestratorProperties.Redis redis = properties.redis();
    return RedisTarget.newBuilder()
        .setUri(redis.uri())
        .setCluster(redis.cluster())
        .setUsername(redis.username())
        .setPasswordFile(redis.passwordFile())
        .setTls(redis.tls())
        .setTlsCaFile(redis.tlsCaFile())
        .build();
  }

  private static List<EntitySpecV2> used(List<EntitySpecV2> entities, Collection<String> names) {
    return entities.stream().filter(entity -> names.contains(entity.getName())).toList();
  }
}
