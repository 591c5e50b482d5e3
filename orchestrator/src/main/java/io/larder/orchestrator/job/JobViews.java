package io.larder.orchestrator.job;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.StatusChange;
import io.larder.proto.larder.JobsProto.JobResult;
import java.time.Instant;
import java.util.List;

/** A stored job as the APIs show it: Feast's {@code Job}, and our {@code JobDetails}. */
public final class JobViews {

  private static final JsonFormat.Parser RESULT = JsonFormat.parser().ignoringUnknownFields();

  private JobViews() {}

  public static Job feastJob(JobRow row) {
    Job.Builder job =
        Job.newBuilder()
            .setId(row.id())
            .setType(row.type())
            .setStatus(row.status())
            .setHash(row.specHash())
            .setStartTime(timestamp(row.startedAt() != null ? row.startedAt() : row.createdAt()))
            .setLogUri(row.logUri());
    switch (row.type()) {
      case RETRIEVAL_JOB ->
          job.setRetrieval(
              Job.RetrievalJobMeta.newBuilder().setOutputLocation(row.outputLocation()));
      case BATCH_INGESTION_JOB ->
          job.setBatchIngestion(Job.OfflineToOnlineMeta.newBuilder().setTableName(row.tableName()));
      case STREAM_INGESTION_JOB ->
          job.setStreamIngestion(Job.StreamToOnlineMeta.newBuilder().setTableName(row.tableName()));
      default -> {}
    }
    return job.build();
  }

  public static JobDetails details(JobRow row, List<StatusChange> history) {
    JobDetails.Builder details =
        JobDetails.newBuilder()
            .setJob(feastJob(row))
            .setProject(row.project())
            .addAllTables(row.tables())
            .setError(row.error())
            .setCreatedTime(timestamp(row.createdAt()))
            .addAllHistory(history)
            .setSparkMaster(row.sparkMaster())
            .setApplicationId(row.applicationId())
            .setPid(row.pid())
            .setHost(row.host())
            .setAttempts(row.attempts())
            .setScheduled(row.scheduled())
            .setKind(row.kind());
    if (!row.progressJson().isBlank()) {
      JobResult.Builder progress = JobResult.newBuilder();
      try {
        RESULT.merge(row.progressJson(), progress);
        details.setProgress(progress);
      } catch (InvalidProtocolBufferException e) {
        // A progress report we cannot read is left out, never fatal.
      }
    }
    if (row.endedAt() != null) {
      details.setEndTime(timestamp(row.endedAt()));
    }
    if (row.windowStart() != null) {
      details.setWindowStart(timestamp(row.windowStart()));
    }
    if (row.windowEnd() != null) {
      details.setWindowEnd(timestamp(row.windowEnd()));
    }
    return details.build();
  }

  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
