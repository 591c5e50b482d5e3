package io.larder.sdk.cli;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyEntityResponse;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectResponse;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectResponse;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityResponse;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.CancelJobResponse;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest;
import io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesResponse;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.GetJobResponse;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartStreamToOnlineIngestionJobResponse;
import io.larder.proto.larder.JobExtServiceGrpc;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsResponse;
import io.larder.proto.larder.JobServiceExtProto.MigrateOnlineLayoutRequest;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityRequest;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityResponse;
import io.larder.proto.larder.RegistryExtServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * In-memory registry, job service and gateway for CLI tests: definitions kept in maps, batch jobs
 * that end at once (DONE, or ERROR for a table named {@code broken}), online values echoing keys.
 */
final class FakeServices implements AutoCloseable {

  final Map<String, Entity> entities = new ConcurrentHashMap<>();
  final Map<String, FeatureTable> tables = new ConcurrentHashMap<>();
  final Map<String, JobDetails> jobs = new ConcurrentHashMap<>();
  final java.util.Set<String> projects = ConcurrentHashMap.newKeySet();
  private final String name = InProcessServerBuilder.generateName();
  private final Server server;

  FakeServices() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new Registry())
            .addService(new Jobs())
            .addService(new JobExt())
            .addService(new Serving())
            .addService(new RegistryExt())
            .build()
            .start();
  }

  ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static String key(String project, String name) {
    return project + "/" + name;
  }

  private static void notFound(StreamObserver<?> observer, String message) {
    observer.onError(Status.NOT_FOUND.withDescription(message).asRuntimeException());
  }

  private static <T> void answer(StreamObserver<T> observer, T value) {
    observer.onNext(value);
    observer.onCompleted();
  }

  private final class Registry extends CoreServiceGrpc.CoreServiceImplBase {
    @Override
    public void createProject(
        CreateProjectRequest request, StreamObserver<CreateProjectResponse> out) {
      if (!projects.add(request.getName())) {
        out.onError(
            Status.ALREADY_EXISTS
                .withDescription("project '" + request.getName() + "' already exists")
                .asRuntimeException());
        return;
      }
      answer(out, CreateProjectResponse.getDefaultInstance());
    }

    @Override
    public void listProjects(
        ListProjectsRequest request, StreamObserver<ListProjectsResponse> out) {
      answer(
          out,
          ListProjectsResponse.newBuilder()
              .addAllProjects(new java.util.TreeSet<>(projects))
              .build());
    }

    @Override
    public void archiveProject(
        ArchiveProjectRequest request, StreamObserver<ArchiveProjectResponse> out) {
      if (!projects.remove(request.getName())) {
        notFound(out, "project '" + request.getName() + "' not found");
        return;
      }
      answer(out, ArchiveProjectResponse.getDefaultInstance());
    }

    @Override
    public void applyEntity(ApplyEntityRequest request, StreamObserver<ApplyEntityResponse> out) {
      Entity entity = Entity.newBuilder().setSpec(request.getSpec()).build();
      entities.put(key(request.getProject(), request.getSpec().getName()), entity);
      answer(out, ApplyEntityResponse.newBuilder().setEntity(entity).build());
    }

    @Override
    public void getEntity(GetEntityRequest request, StreamObserver<GetEntityResponse> out) {
      Entity entity = entities.get(key(request.getProject(), request.getName()));
      if (entity == null) {
        notFound(
            out,
            "entity '%s' not found in project '%s'"
                .formatted(request.getName(), request.getProject()));
        return;
      }
      answer(out, GetEntityResponse.newBuilder().setEntity(entity).build());
    }

    @Override
    public void listEntities(
        ListEntitiesRequest request, StreamObserver<ListEntitiesResponse> out) {
      String prefix = request.getFilter().getProject() + "/";
      ListEntitiesResponse.Builder response = ListEntitiesResponse.newBuilder();
      entities.entrySet().stream()
          .filter(e -> e.getKey().startsWith(prefix))
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> response.addEntities(e.getValue()));
      answer(out, response.build());
    }

    @Override
    public void applyFeatureTable(
        ApplyFeatureTableRequest request, StreamObserver<ApplyFeatureTableResponse> out) {
      FeatureTable table = FeatureTable.newBuilder().setSpec(request.getTableSpec()).build();
      tables.put(key(request.getProject(), request.getTableSpec().getName()), table);
      answer(out, ApplyFeatureTableResponse.newBuilder().setTable(table).build());
    }

    @Override
    public void getFeatureTable(
        GetFeatureTableRequest request, StreamObserver<GetFeatureTableResponse> out) {
      FeatureTable table = tables.get(key(request.getProject(), request.getName()));
      if (table == null) {
        notFound(
            out,
            "feature table '%s' not found in project '%s'"
                .formatted(request.getName(), request.getProject()));
        return;
      }
      answer(out, GetFeatureTableResponse.newBuilder().setTable(table).build());
    }

    @Override
    public void listFeatureTables(
        ListFeatureTablesRequest request, StreamObserver<ListFeatureTablesResponse> out) {
      String prefix = request.getFilter().getProject() + "/";
      ListFeatureTablesResponse.Builder response = ListFeatureTablesResponse.newBuilder();
      tables.entrySet().stream()
          .filter(e -> e.getKey().startsWith(prefix))
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> response.addTables(e.getValue()));
      answer(out, response.build());
    }

    @Override
    public void deleteFeatureTable(
        DeleteFeatureTableRequest request, StreamObserver<DeleteFeatureTableResponse> out) {
      if (tables.remove(key(request.getProject(), request.getName())) == null) {
        notFound(out, "feature table '%s' not found".formatted(request.getName()));
        return;
      }
      answer(out, DeleteFeatureTableResponse.getDefaultInstance());
    }
  }

  private final class RegistryExt extends RegistryExtServiceGrpc.RegistryExtServiceImplBase {
    @Override
    public void deleteEntity(
        DeleteEntityRequest request, StreamObserver<DeleteEntityResponse> out) {
      String key = key(request.getProject(), request.getName());
      if (!entities.containsKey(key)) {
        notFound(out, "entity '" + request.getName() + "' not found");
        return;
      }
      List<String> users =
          tables.values().stream()
              .filter(t -> t.getSpec().getEntitiesList().contains(request.getName()))
              .map(t -> t.getSpec().getName())
              .toList();
      if (!users.isEmpty()) {
        out.onError(
            Status.FAILED_PRECONDITION
                .withDescription(
                    "entity '%s' is used by feature tables %s".formatted(request.getName(), users))
                .asRuntimeException());
        return;
      }
      entities.remove(key);
      answer(out, DeleteEntityResponse.getDefaultInstance());
    }
  }

  private final class Jobs extends JobServiceGrpc.JobServiceImplBase {
    @Override
    public void startOfflineToOnlineIngestionJob(
        StartOfflineToOnlineIngestionJobRequest request,
        StreamObserver<StartOfflineToOnlineIngestionJobResponse> out) {
      if (!tables.containsKey(key(request.getProject(), request.getTableName()))) {
        notFound(out, "feature table '%s' not found".formatted(request.getTableName()));
        return;
      }
      String id = "batch-" + (jobs.size() + 1);
      boolean broken = request.getTableName().equals("broken");
      Job job =
          Job.newBuilder()
              .setId(id)
              .setType(JobType.BATCH_INGESTION_JOB)
              .setStatus(broken ? JobStatus.JOB_STATUS_ERROR : JobStatus.JOB_STATUS_DONE)
              .setStartTime(Timestamp.newBuilder().setSeconds(1_900_000_000L))
              .setBatchIngestion(
                  Job.OfflineToOnlineMeta.newBuilder().setTableName(request.getTableName()))
              .setLogUri("file:///tmp/" + id + ".log")
              .build();
      jobs.put(
          id,
          JobDetails.newBuilder()
              .setJob(job)
              .setProject(request.getProject())
              .setError(broken ? "source file missing: /data/broken.parquet" : "")
              .setProgress(
                  JobResult.newBuilder().setRowsRead(broken ? 0 : 5).setRowsWritten(broken ? 0 : 5))
              .build());
      answer(out, StartOfflineToOnlineIngestionJobResponse.newBuilder().setId(id).build());
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<GetJobResponse> out) {
      JobDetails details = jobs.get(request.getJobId());
      if (details == null) {
        notFound(out, "job '" + request.getJobId() + "' not found");
        return;
      }
      answer(out, GetJobResponse.newBuilder().setJob(details.getJob()).build());
    }

    @Override
    public void startStreamToOnlineIngestionJob(
        StartStreamToOnlineIngestionJobRequest request,
        StreamObserver<StartStreamToOnlineIngestionJobResponse> out) {
      FeatureTable table = tables.get(key(request.getProject(), request.getTableName()));
      if (table == null || !table.getSpec().hasStreamSource()) {
        out.onError(
            (table == null ? Status.NOT_FOUND : Status.FAILED_PRECONDITION)
                .withDescription(
                    "feature table '%s' %s"
                        .formatted(
                            request.getTableName(),
                            table == null ? "not found" : "has no stream source"))
                .asRuntimeException());
        return;
      }
      String id = "stream-" + (jobs.size() + 1);
      Job job =
          Job.newBuilder()
              .setId(id)
              .setType(JobType.STREAM_INGESTION_JOB)
              .setStatus(JobStatus.JOB_STATUS_RUNNING)
              .setStreamIngestion(
                  Job.StreamToOnlineMeta.newBuilder().setTableName(request.getTableName()))
              .build();
      jobs.put(
          id,
          JobDetails.newBuilder()
              .setJob(job)
              .setProject(request.getProject())
              .addTables(request.getTableName())
              .build());
      answer(out, StartStreamToOnlineIngestionJobResponse.newBuilder().setId(id).build());
    }

    @Override
    public void getHistoricalFeatures(
        GetHistoricalFeaturesRequest request, StreamObserver<GetHistoricalFeaturesResponse> out) {
      if (!request.getFeatureRefsList().equals(List.of("driver_trips:trips"))) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription("feature_refs: unknown feature " + request.getFeatureRefsList())
                .asRuntimeException());
        return;
      }
      String id = "retrieval-" + (jobs.size() + 1);
      Path output = Path.of(request.getOutputLocation()).resolve(id);
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
          Statement statement = duck.createStatement()) {
        Files.createDirectories(output);
        statement.execute(
            "COPY (SELECT 1001::BIGINT AS driver_id, 7::BIGINT AS driver_trips__trips"
                + " UNION ALL SELECT 1002, NULL) TO '"
                + output.resolve("part-0.parquet")
                + "' (FORMAT PARQUET)");
      } catch (Exception e) {
        out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        return;
      }
      Job job =
          Job.newBuilder()
              .setId(id)
              .setType(JobType.RETRIEVAL_JOB)
              .setStatus(JobStatus.JOB_STATUS_DONE)
              .setRetrieval(Job.RetrievalJobMeta.newBuilder().setOutputLocation(output.toString()))
              .build();
      jobs.put(
          id,
          JobDetails.newBuilder()
              .setJob(job)
              .setProject(request.getProject())
              .setProgress(JobResult.newBuilder().setRowsOutput(2))
              .build());
      answer(
          out,
          GetHistoricalFeaturesResponse.newBuilder()
              .setId(id)
              .setOutputFileUri(output.toUri().toString())
              .build());
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<CancelJobResponse> out) {
      JobDetails details = jobs.get(request.getJobId());
      if (details == null) {
        notFound(out, "job '" + request.getJobId() + "' not found");
        return;
      }
      if (details.getJob().getStatus() == JobStatus.JOB_STATUS_RUNNING) {
        jobs.put(
            request.getJobId(),
            details.toBuilder()
                .setJob(details.getJob().toBuilder().setStatus(JobStatus.JOB_STATUS_ERROR))
                .setError("cancelled")
                .build());
        answer(out, CancelJobResponse.getDefaultInstance());
        return;
      }
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "job '%s' already ended (%s)"
                      .formatted(request.getJobId(), details.getJob().getStatus()))
              .asRuntimeException());
    }
  }

  private final class JobExt extends JobExtServiceGrpc.JobExtServiceImplBase {
    @Override
    public void migrateOnlineLayout(
        MigrateOnlineLayoutRequest request, StreamObserver<JobDetails> out) {
      if (!tables.containsKey(key(request.getProject(), request.getTableName()))) {
        notFound(out, "feature table '%s' not found".formatted(request.getTableName()));
        return;
      }
      String id = "migration-" + (jobs.size() + 1);
      JobDetails details =
          JobDetails.newBuilder()
              .setJob(
                  Job.newBuilder()
                      .setId(id)
                      .setType(JobType.BATCH_INGESTION_JOB)
                      .setStatus(JobStatus.JOB_STATUS_DONE)
                      .setBatchIngestion(
                          Job.OfflineToOnlineMeta.newBuilder().setTableName(request.getTableName()))
                      .setLogUri("file:///tmp/" + id + ".log"))
              .setProject(request.getProject())
              .setKind("layout_migration")
              .setProgress(
                  JobResult.newBuilder().setRowsRead(5).setRowsWritten(5).setRowsRemoved(5))
              .build();
      jobs.put(id, details);
      answer(out, details);
    }

    @Override
    public void getJobDetails(GetJobDetailsRequest request, StreamObserver<JobDetails> out) {
      JobDetails details = jobs.get(request.getJobId());
      if (details == null) {
        notFound(out, "job '" + request.getJobId() + "' not found");
        return;
      }
      answer(out, details);
    }

    @Override
    public void listJobDetails(
        ListJobDetailsRequest request, StreamObserver<ListJobDetailsResponse> out) {
      ListJobDetailsResponse.Builder response = ListJobDetailsResponse.newBuilder();
      jobs.values().stream()
          .filter(d -> d.getProject().equals(request.getProject()))
          .filter(
              d ->
                  request.getTableName().isEmpty()
                      || d.getTablesList().contains(request.getTableName())
                      || d.getJob()
                          .getBatchIngestion()
                          .getTableName()
                          .equals(request.getTableName()))
          .filter(
              d ->
                  request.getType() == JobType.INVALID_JOB
                      || d.getJob().getType() == request.getType())
          .filter(
              d ->
                  request.getIncludeTerminated()
                      || d.getJob().getStatus() == JobStatus.JOB_STATUS_RUNNING
                      || d.getJob().getStatus() == JobStatus.JOB_STATUS_PENDING)
          .sorted(java.util.Comparator.comparing(d -> d.getJob().getId()))
          .forEach(response::addJobs);
      answer(out, response.build());
    }
  }

  private static final class Serving extends ServingServiceGrpc.ServingServiceImplBase {
    @Override
    public void getOnlineFeaturesV2(
        GetOnlineFeaturesRequestV2 request, StreamObserver<GetOnlineFeaturesResponse> out) {
      GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
      request
          .getEntityRowsList()
          .forEach(
              row -> {
                GetOnlineFeaturesResponse.FieldValues.Builder values =
                    GetOnlineFeaturesResponse.FieldValues.newBuilder();
                row.getFieldsMap()
                    .forEach(
                        (name, value) -> {
                          values.putFields(name, value);
                          values.putStatuses(name, FieldStatus.PRESENT);
                        });
                request
                    .getFeaturesList()
                    .forEach(
                        feature -> {
                          String ref = feature.getFeatureTable() + ":" + feature.getName();
                          values.putFields(
                              ref,
                              Value.newBuilder()
                                  .setInt64Val(
                                      row.getFieldsMap().values().iterator().next().getInt64Val()
                                          * 10)
                                  .build());
                          values.putStatuses(ref, FieldStatus.PRESENT);
                        });
                response.addFieldValues(values);
              });
      answer(out, response.build());
    }
  }
}
