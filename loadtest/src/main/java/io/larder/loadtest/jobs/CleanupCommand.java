package io.larder.loadtest.jobs;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * What the benchmark leaves behind in its project: cancels every job still active there (CancelJob)
 * and deletes every feature table. Run at the end, also after a failed run.
 */
@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    description = "Cancels the project's active jobs and deletes its feature tables.")
final class CleanupCommand implements Callable<Integer> {

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    int failures = 0;
    try (BenchClients clients = new BenchClients(connection)) {
      try {
        for (JobDetails job :
            clients
                .jobDetails()
                .listJobDetails(
                    ListJobDetailsRequest.newBuilder().setProject(connection.project).build())
                .getJobsList()) {
          if (!BenchClients.terminal(job.getJob().getStatus())) {
            clients.cancel(job.getJob().getId());
          }
        }
      } catch (StatusRuntimeException e) {
        System.err.printf("could not cancel the jobs of %s: %s%n", connection.project, e);
        failures++;
      }
      try {
        for (FeatureTable table :
            clients
                .registry()
                .listFeatureTables(
                    ListFeatureTablesRequest.newBuilder()
                        .setFilter(
                            ListFeatureTablesRequest.Filter.newBuilder()
                                .setProject(connection.project))
                        .build())
                .getTablesList()) {
          clients
              .registry()
              .deleteFeatureTable(
                  DeleteFeatureTableRequest.newBuilder()
                      .setProject(connection.project)
                      .setName(table.getSpec().getName())
                      .build());
          System.out.printf("deleted table %s/%s%n", connection.project, table.getSpec().getName());
        }
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          System.err.printf("could not delete the tables of %s: %s%n", connection.project, e);
          failures++;
        }
      }
    }
    return failures == 0 ? 0 : 1;
  }
}
