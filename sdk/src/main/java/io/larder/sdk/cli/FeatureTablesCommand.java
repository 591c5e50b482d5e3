package io.larder.sdk.cli;

import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.sdk.JobFailedException;
import io.larder.sdk.LarderClient;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "feature-tables",
    description =
        "Applies, describes, lists and deletes feature tables; moves them between online layouts.",
    subcommands = {
      ApplyCommand.FeatureTables.class,
      FeatureTablesCommand.Describe.class,
      FeatureTablesCommand.ListTables.class,
      FeatureTablesCommand.Delete.class,
      FeatureTablesCommand.MigrateLayout.class
    })
final class FeatureTablesCommand {

  @Command(name = "describe", description = "Shows a feature table.")
  static final class Describe extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      FeatureTable table;
      try (LarderClient client = root().client()) {
        table = client.getFeatureTable(root().project, name);
      }
      output().message(table);
      return 0;
    }
  }

  @Command(name = "list", description = "Lists the project's feature tables.")
  static final class ListTables extends LarderCommand {
    @Override
    int run() {
      List<FeatureTable> tables;
      try (LarderClient client = root().client()) {
        tables = client.listFeatureTables(root().project);
      }
      output()
          .list(
              tables,
              List.of("NAME", "ENTITIES", "FEATURES", "SOURCES"),
              t ->
                  List.of(
                      t.getSpec().getName(),
                      String.join(",", t.getSpec().getEntitiesList()),
                      String.valueOf(t.getSpec().getFeaturesCount()),
                      sources(t)));
      return 0;
    }

    private static String sources(FeatureTable table) {
      String batch = table.getSpec().hasBatchSource() ? "batch" : "";
      String stream =
          table.getSpec().hasStreamSource()
              ? "kafka:" + table.getSpec().getStreamSource().getKafkaOptions().getTopic()
              : "";
      return String.join(" ", List.of(batch, stream)).strip();
    }
  }

  @Command(name = "delete", description = "Deletes a feature table (its stream job stops).")
  static final class Delete extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        client.deleteFeatureTable(root().project, name);
      }
      out().println("feature table " + name + " deleted");
      return 0;
    }
  }

  @Command(
      name = "migrate-layout",
      description =
          "Moves the table's online rows into another layout (hash or packed) and switches the"
              + " table to it; lookups answer throughout.")
  static final class MigrateLayout extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = {"-l", "--layout"},
        required = true,
        description = "hash (Feast's) or packed")
    String layout;

    @Mixin JobWait waiting;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        JobDetails job = client.migrateOnlineLayout(root().project, name, layout);
        String id = job.getJob().getId();
        err().println("started job " + id + " (log " + job.getJob().getLogUri() + ")");
        if (!waiting.wait) {
          output().one(job, () -> out().println(id));
          return 0;
        }
        JobDetails done = client.awaitJob(id, waiting.timeout, Progress.forConsole(err()));
        if (done.getJob().getStatus() != JobStatus.JOB_STATUS_DONE) {
          throw new JobFailedException(done);
        }
        output()
            .one(
                done,
                () ->
                    out()
                        .printf(
                            "feature table %s is in the %s layout: %d rows copied, %d removed from"
                                + " the old layout%n",
                            name,
                            layout,
                            done.getProgress().getRowsWritten(),
                            done.getProgress().getRowsRemoved()));
        return 0;
      }
    }
  }
}
