package io.larder.jobs.cli;

import io.larder.jobs.batch.BatchIngestionJob;
import io.larder.jobs.historical.HistoricalRetrievalJob;
import io.larder.jobs.migration.LayoutMigrationJob;
import io.larder.jobs.spark.SparkSessions;
import io.larder.jobs.spec.JobSpecs;
import io.larder.jobs.stream.StreamIngestionJob;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import io.larder.proto.larder.JobsProto.StreamIngestionSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code larder-job <batch-ingestion|stream-ingestion|historical-retrieval|layout-migration> --spec
 * <json|file> [--master URL] [--conf k=v]... [--result file]}: runs one job and prints its result
 * as one line of JSON on stdout. Exit 0 when it succeeded, 1 when it failed, 2 when the spec or the
 * command is wrong.
 */
@Command(
    name = "larder-job",
    mixinStandardHelpOptions = true,
    description = "Runs a Larder Spark job and prints its result as JSON.")
public final class LarderJobs implements Callable<Integer> {

  /** The jobs, by the name the command line and the orchestrator use. */
  enum Job {
    batch_ingestion,
    stream_ingestion,
    historical_retrieval,
    // Not a Spark job: it moves a table's online rows between layouts through Redis alone.
    layout_migration;

    static Job named(String name) {
      try {
        return valueOf(name.replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown job '"
                + name
                + "' (batch-ingestion, stream-ingestion, historical-retrieval or"
                + " layout-migration)");
      }
    }
  }

  @Parameters(
      index = "0",
      description = "batch-ingestion, stream-ingestion, historical-retrieval or layout-migration")
  String job;

  @Option(names = "--spec", required = true, description = "The job spec: JSON, or a file path.")
  String spec;

  @Option(
      names = "--master",
      description = "Spark master URL (default: local[*]; e.g. spark://host:7077).")
  String master;

  @Option(names = "--conf", description = "Extra Spark settings, k=v (repeatable).")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(names = "--result", description = "Also write the result JSON to this file.")
  Path result;

  /** Spark's id of this run's application, once its session exists; every result carries it. */
  private String applicationId;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LarderJobs()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Job which;
    Object parsed;
    try {
      which = Job.named(job);
      parsed = parse(which, spec);
    } catch (IllegalArgumentException e) {
      return report(failed(job, e), 2);
    }
    if (which == Job.layout_migration) {
      return runWithoutSpark(which, (LayoutMigrationSpec) parsed);
    }
    SparkSession spark;
    try {
      spark =
          SparkSessions.create("larder-" + which.name().replace('_', '-'), master, clusterConf());
    } catch (RuntimeException e) {
      return report(failed(which.name(), e), 1);
    }
    applicationId = spark.sparkContext().applicationId();
    try {
      JobResult outcome =
          switch (which) {
            case batch_ingestion -> BatchIngestionJob.run(spark, (BatchIngestionSpec) parsed);
            case stream_ingestion -> StreamIngestionJob.run(spark, (StreamIngestionSpec) parsed);
            case historical_retrieval ->
                HistoricalRetrievalJob.run(spark, (HistoricalRetrievalSpec) parsed);
            case layout_migration -> throw new IllegalStateException("runs without Spark");
          };
      return report(outcome, "SUCCEEDED".equals(outcome.getStatus()) ? 0 : 1);
    } catch (IllegalArgumentException e) {
      return report(failed(which.name(), e), 2);
    } catch (Exception e) {
      // Spark's AnalysisException (a missing path, an unknown column) is a checked exception.
      return report(failed(which.name(), e), 1);
    } finally {
      spark.stop();
    }
  }

  private int runWithoutSpark(Job which, LayoutMigrationSpec parsed) throws IOException {
    try {
      JobResult outcome = LayoutMigrationJob.run(parsed);
      return report(outcome, "SUCCEEDED".equals(outcome.getStatus()) ? 0 : 1);
    } catch (IllegalArgumentException e) {
      return report(failed(which.name(), e), 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return report(failed(which.name(), e), 1);
    } catch (IOException | RuntimeException e) {
      return report(failed(which.name(), e), 1);
    }
  }

  private static Object parse(Job job, String spec) {
    return switch (job) {
      case batch_ingestion ->
          JobSpecs.<BatchIngestionSpec>parse(spec, BatchIngestionSpec.newBuilder());
      case stream_ingestion ->
          JobSpecs.<StreamIngestionSpec>parse(spec, StreamIngestionSpec.newBuilder());
      case historical_retrieval ->
          JobSpecs.<HistoricalRetrievalSpec>parse(spec, HistoricalRetrievalSpec.newBuilder());
      case layout_migration ->
          JobSpecs.<LayoutMigrationSpec>parse(spec, LayoutMigrationSpec.newBuilder());
    };
  }

  /**
   * Off local mode, executors need the job's classes: unless told otherwise they get this JVM's
   * class path (workers that share its paths, as on one host or one image).
   */
  private Map<String, String> clusterConf() {
    Map<String, String> settings = new LinkedHashMap<>(conf);
    if (master != null && !master.startsWith("local")) {
      settings.putIfAbsent("spark.executor.extraClassPath", System.getProperty("java.class.path"));
    }
    return settings;
  }

  private static JobResult failed(String job, Exception e) {
    return JobResult.newBuilder()
        .setJob(job.replace('-', '_'))
        .setStatus("FAILED")
        .setError(e.getMessage() == null ? e.getClass().getName() : e.getMessage())
        .build();
  }

  private int report(JobResult outcome, int exitCode) throws IOException {
    if (applicationId != null) {
      outcome = outcome.toBuilder().setApplicationId(applicationId).build();
    }
    String json = JobSpecs.toJson(outcome);
    System.out.println(json);
    if (result != null) {
      Files.writeString(result, json + "\n", StandardCharsets.UTF_8);
    }
    return exitCode;
  }
}
