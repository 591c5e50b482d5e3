package io.larder.sdk.cli;

import io.larder.proto.core.JobServiceProto.Job;
import io.larder.sdk.LarderClient;
import io.larder.sdk.training.EntityRows;
import io.larder.sdk.training.TrainingDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "get-historical-features",
    description = "Builds a point-in-time-correct training set (parquet) with the job service.")
final class HistoricalFeaturesCommand extends LarderCommand {

  @Option(
      names = "--entities",
      required = true,
      description =
          "Entity rows: parquet, or CSV by its .csv suffix; entity columns and an event time.")
  Path entities;

  @Option(
      names = "--timestamp-column",
      defaultValue = "event_timestamp",
      description = "The entity rows' event time column (default ${DEFAULT-VALUE}).")
  String timestampColumn;

  @Option(
      names = "--features",
      required = true,
      split = ",",
      description = "Feature references table:feature, comma-separated.")
  List<String> features;

  @Option(
      names = "--output-location",
      description = "Where the parquet goes (a new directory); the job service picks one if unset.")
  String outputLocation;

  @Option(names = "--head", defaultValue = "0", description = "Print the first N rows.")
  int head;

  @Option(names = "--wait-timeout", defaultValue = "30m", converter = DurationConverter.class)
  Duration waitTimeout;

  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      description =
          "Wait for the training set (default); --no-wait prints the job and where it will be.")
  boolean wait;

  @Override
  int run() {
    if (!Files.exists(entities)) {
      throw new IllegalArgumentException("--entities: " + entities + " does not exist");
    }
    try (LarderClient client = root().client()) {
      if (!wait) {
        Job job =
            client.startHistoricalRetrieval(
                root().project,
                features,
                EntityRows.file(entities, timestampColumn),
                outputLocation);
        output()
            .one(
                job,
                () ->
                    out()
                        .printf(
                            "started job %s; training set at %s%n",
                            job.getId(), job.getRetrieval().getOutputLocation()));
        return 0;
      }
      TrainingDataset dataset =
          client.getHistoricalFeatures(
              root().project,
              features,
              EntityRows.file(entities, timestampColumn),
              outputLocation,
              waitTimeout,
              Progress.forConsole(err()));
      out()
          .printf(
              "training set: %s (%d rows)%n",
              dataset.outputUri(), dataset.job().getProgress().getRowsOutput());
      if (head > 0) {
        List<Map<String, Object>> rows = dataset.head(head);
        if (!rows.isEmpty()) {
          List<String> columns = new ArrayList<>(rows.get(0).keySet());
          List<List<String>> cells = new ArrayList<>();
          rows.forEach(
              row -> cells.add(columns.stream().map(c -> String.valueOf(row.get(c))).toList()));
          new Output(out(), Output.Format.TABLE).table(columns, cells);
        }
      }
    }
    return 0;
  }
}
