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
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceGrpc;
import io.larder.proto.core.JobServiceProto.CancelJobRequest;
import io.larder.proto.core.JobServiceProto.CancelJobResponse;
import io.larder.proto.core.JobServiceProto.GetJobRequest;
import io.larder.proto.core.JobServiceProto.GetJobResponse;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest;
import io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobResponse;
import io.larder.proto.larder.JobExtServiceGrpc;
import io.larder.proto.larder.JobServiceExtProto.GetJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsResponse;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
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

  private static <T> void answer(StreamObserver<T> observer, T value) {
    observer.onNext(value);
    observer.onCompleted();
  }

  private final class Registry extends CoreServiceGrpc.CoreServiceImplBase {
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
        out.onError(
            Status.NOT_FOUND
                .withDescription(
                    "entity '%s' not found in project '%s'"
                        .formatted(request.getName(), request.getProject()))
                .asRuntimeException());
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
        out.onError(
            Status.NOT_FOUND
                .withDescription(
                    "feature table '%s' not found in project '%s'"
                        .formatted(request.getName(), request.getProject()))
                .asRuntimeException());
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
        out.onError(
            Status.NOT_FOUND
                .withDescription("feature table '%s' not found".formatted(request.getName()))
                .asRuntimeException());
        return;
      }
      answer(out, DeleteFeatureTableResponse.getDefaultInstance());
    }
  }

  private final class Jobs extends JobServiceGrpc.JobServiceImplBase {
    @Override
    public void startOfflineToOnlineIngestionJob(
        StartOfflineToOnlineIngestionJobRequest request,
        StreamObserver<StartOfflineToOnlineIngestionJobResponse> out) {
      if (!tables.containsKey(key(request.getProject(), request.getTableName()))) {
        out.onError(
            Status.NOT_FOUND
                .withDescription("feature table '%s' not found".formatted(request.getTableName()))
                .asRuntimeException());
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
        out.onError(
            Status.NOT_FOUND
                .withDescription("job '" + request.getJobId() + "' not found")
                .asRuntimeException());
        return;
      }
      answer(out, GetJobResponse.newBuilder().setJob(details.getJob()).build());
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<CancelJobResponse> out) {
      JobDetails details = jobs.get(request.getJobId());
      if (details == null) {
        out.onError(
            Status.NOT_FOUND
                .withDescription("job '" + request.getJobId() + "' not found")
                .asRuntimeException());
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
    public void getJobDetails(GetJobDetailsRequest request, StreamObserver<JobDetails> out) {
      JobDetails details = jobs.get(request.getJobId());
      if (details == null) {
        out.onError(
            Status.NOT_FOUND
                .withDescription("job '" + request.getJobId() + "' not found")
                .asRuntimeException());
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
