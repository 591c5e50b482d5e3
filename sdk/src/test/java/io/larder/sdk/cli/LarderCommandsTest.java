package io.larder.sdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.sdk.LarderClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each command's success and error paths, against in-memory services. */
@Timeout(30)
class LarderCommandsTest {

  private static final String DEFINITIONS =
      """
      kind: Entity
      spec:
        name: driver_id
        valueType: INT64
      ---
      kind: FeatureTable
      spec:
        name: driver_trips
        entities: [driver_id]
        features:
          - {name: trips, valueType: INT64}
        batchSource:
          type: BATCH_FILE
          eventTimestampColumn: event_ts
          fileOptions: {fileUrl: "file:///data/trips.parquet"}
      """;

  @TempDir Path dir;
  private FakeServices services;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    services = new FakeServices();
  }

  @AfterEach
  void stop() throws InterruptedException {
    services.close();
  }

  private int larder(String... args) {
    LarderCli cli = new LarderCli();
    cli.clients =
        settings ->
            LarderClient.over(
                settings.withRetries(0),
                services.channel(),
                services.channel(),
                services.channel());
    return LarderCli.commandLine(cli)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private Path file(String name, String content) throws Exception {
    Path path = dir.resolve(name);
    Files.writeString(path, content);
    return path;
  }

  @Test
  void applyShowsTheDiffAppliesAndIsIdempotent() throws Exception {
    Path yaml = file("defs.yaml", DEFINITIONS);

    assertThat(larder("apply", "-p", "demo", "-f", yaml.toString(), "--dry-run")).isZero();
    assertThat(services.tables).isEmpty();
    assertThat(out.toString()).contains("driver_trips").contains("nothing applied");

    assertThat(larder("apply", "-p", "demo", "-f", yaml.toString())).isZero();
    assertThat(services.entities).containsKey("demo/driver_id");
    assertThat(services.tables).containsKey("demo/driver_trips");

    out.getBuffer().setLength(0);
    assertThat(larder("apply", "-p", "demo", "-f", yaml.toString())).isZero();
    assertThat(out.toString()).contains("= feature-table demo/driver_trips unchanged");
  }

  @Test
  void badYamlIsRefusedWithItsFileAndLine() throws Exception {
    Path yaml = file("bad.yaml", DEFINITIONS.replace("valueType: INT64}", "valueTyp: INT64}"));

    assertThat(larder("feature-tables", "apply", "-f", yaml.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad.yaml:").contains("valueTyp");
    assertThat(services.tables).isEmpty();
  }

  @Test
  void listAndDescribeInEveryFormat() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    out.getBuffer().setLength(0);

    assertThat(larder("feature-tables", "list", "-p", "demo")).isZero();
    assertThat(out.toString()).contains("NAME").contains("driver_trips").contains("driver_id");

    out.getBuffer().setLength(0);
    assertThat(larder("feature-tables", "describe", "driver_trips", "-p", "demo", "-o", "yaml"))
        .isZero();
    assertThat(out.toString()).contains("name: \"driver_trips\"");

    out.getBuffer().setLength(0);
    assertThat(larder("entities", "list", "-p", "demo", "--output", "json")).isZero();
    assertThat(out.toString()).contains("\"valueType\" : \"INT64\"");
  }

  @Test
  void unknownTableIsBadInputNamingIt() {
    assertThat(larder("feature-tables", "describe", "nope", "-p", "demo")).isEqualTo(2);
    assertThat(err.toString()).contains("NOT_FOUND").contains("nope");
    assertThat(
            larder(
                "jobs",
                "sync-offline-to-online",
                "-p",
                "demo",
                "-t",
                "nope",
                "-s",
                "2030-01-01",
                "-e",
                "2030-01-02"))
        .isEqualTo(2);
  }

  @Test
  void batchIngestionWaitsAndReportsRows() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    out.getBuffer().setLength(0);

    int exit =
        larder(
            "jobs",
            "sync-offline-to-online",
            "-p",
            "demo",
            "-t",
            "driver_trips",
            "-s",
            "2030-01-01",
            "-e",
            "2030-01-02");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("DONE: 5 rows read, 5 written");
    assertThat(err.toString()).contains("started job batch-1");

    out.getBuffer().setLength(0);
    assertThat(larder("jobs", "list", "--all", "-p", "demo")).isZero();
    assertThat(out.toString()).contains("batch-1").contains("DONE").contains("driver_trips");
  }

  @Test
  void aTableMovesToAnotherLayoutAndTheCommandReportsTheRows() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    out.getBuffer().setLength(0);

    int exit =
        larder(
            "feature-tables", "migrate-layout", "driver_trips", "--layout", "packed", "-p", "demo");

    assertThat(exit).isZero();
    assertThat(err.toString()).contains("started job migration-1");
    assertThat(out.toString())
        .contains("feature table driver_trips is in the packed layout: 5 rows copied, 5 removed");
    assertThat(
            larder("feature-tables", "migrate-layout", "nope", "--layout", "packed", "-p", "demo"))
        .isNotZero();
  }

  @Test
  void aFailedJobExitsOneWithItsError() throws Exception {
    larder(
        "apply",
        "-p",
        "demo",
        "-f",
        file("defs.yaml", DEFINITIONS.replace("driver_trips", "broken")).toString());

    int exit =
        larder(
            "jobs",
            "sync-offline-to-online",
            "-p",
            "demo",
            "-t",
            "broken",
            "-s",
            "2030-01-01",
            "-e",
            "2030-01-02");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("failed: source file missing: /data/broken.parquet");
  }

  @Test
  void badTimesAreBadInput() {
    assertThat(
            larder(
                "jobs", "sync-offline-to-online", "-t", "t", "-s", "yesterday", "-e", "2030-01-02"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--start: 'yesterday' is not a date");
  }

  @Test
  void cancellingAnEndedJobIsBadInput() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    larder(
        "jobs",
        "sync-offline-to-online",
        "-p",
        "demo",
        "-t",
        "driver_trips",
        "-s",
        "2030-01-01",
        "-e",
        "2030-01-02");

    assertThat(larder("jobs", "cancel", "batch-1")).isEqualTo(2);
    assertThat(err.toString()).contains("FAILED_PRECONDITION").contains("already ended");
  }

  @Test
  void onlineTypesEntitiesByTheRegistryAndPrintsATable() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    out.getBuffer().setLength(0);

    int exit =
        larder(
            "online",
            "-p",
            "demo",
            "--features",
            "driver_trips:trips",
            "--entity",
            "driver_id=7",
            "--entity",
            "driver_id=8");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("driver_trips:trips").contains("70").contains("80");

    assertThat(
            larder(
                "online",
                "-p",
                "demo",
                "--features",
                "driver_trips:trips",
                "--entity",
                "driver_id=seven"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("driver_id=seven: not a INT64");
    assertThat(larder("online", "-p", "demo", "--features", "trips", "--entity", "driver_id=7"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'trips' is not table:feature");
  }

  @Test
  void unreachableServiceExitsThreeNamingTheAddress() {
    LarderCli cli = new LarderCli();
    int exit =
        LarderCli.commandLine(cli)
            .setErr(new PrintWriter(err, true))
            .execute("--registry", "127.0.0.1:1", "--timeout", "2s", "feature-tables", "list");

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString()).contains("cannot reach the registry at 127.0.0.1:1");
  }

  @Test
  void projectsCreateListArchive() {
    assertThat(larder("projects", "create", "rides")).isZero();
    assertThat(larder("projects", "create", "rides")).isEqualTo(2);
    assertThat(err.toString()).contains("ALREADY_EXISTS").contains("rides");

    out.getBuffer().setLength(0);
    assertThat(larder("projects", "list", "-o", "json")).isZero();
    assertThat(out.toString()).contains("\"rides\"");

    assertThat(larder("projects", "archive", "rides")).isZero();
    assertThat(larder("projects", "archive", "rides")).isEqualTo(2);
  }

  @Test
  void entitiesDescribeAndTablesDelete() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    out.getBuffer().setLength(0);

    assertThat(larder("entities", "describe", "driver_id", "-p", "demo")).isZero();
    assertThat(out.toString()).contains("\"name\" : \"driver_id\"");
    assertThat(larder("entities", "describe", "rider_id", "-p", "demo")).isEqualTo(2);

    assertThat(larder("entities", "delete", "driver_id", "-p", "demo")).as("in use").isEqualTo(2);
    assertThat(err.toString()).contains("used by feature tables [driver_trips]");

    assertThat(larder("feature-tables", "delete", "driver_trips", "-p", "demo")).isZero();
    assertThat(services.tables).isEmpty();
    assertThat(larder("entities", "delete", "driver_id", "-p", "demo")).isZero();
    assertThat(services.entities).isEmpty();
    assertThat(larder("feature-tables", "delete", "driver_trips", "-p", "demo")).isEqualTo(2);
    assertThat(err.toString()).contains("feature table 'driver_trips' not found");
  }

  @Test
  void streamJobsStartDescribeAndStop() throws Exception {
    larder("apply", "-p", "demo", "-f", file("defs.yaml", DEFINITIONS).toString());
    assertThat(larder("jobs", "start-stream-to-online", "-p", "demo", "-t", "driver_trips"))
        .as("no stream source")
        .isEqualTo(2);
    assertThat(err.toString()).contains("FAILED_PRECONDITION").contains("has no stream source");

    String streamed =
        DEFINITIONS
            + """
              streamSource:
                type: STREAM_KAFKA
                eventTimestampColumn: event_ts
                kafkaOptions: {bootstrapServers: "127.0.0.1:9092", topic: trips}
            """;
    assertThat(larder("apply", "-p", "demo", "-f", file("streamed.yaml", streamed).toString()))
        .isZero();
    out.getBuffer().setLength(0);
    assertThat(larder("jobs", "start-stream-to-online", "-p", "demo", "-t", "driver_trips"))
        .isZero();
    assertThat(out.toString()).contains("stream job stream-1 RUNNING");

    out.getBuffer().setLength(0);
    assertThat(larder("jobs", "describe", "stream-1")).isZero();
    assertThat(out.toString()).contains("\"status\" : \"JOB_STATUS_RUNNING\"");
    assertThat(larder("jobs", "describe", "stream-9")).isEqualTo(2);

    out.getBuffer().setLength(0);
    assertThat(larder("jobs", "stop-stream-to-online", "-p", "demo", "-t", "driver_trips"))
        .isZero();
    assertThat(out.toString()).contains("stopped stream job stream-1");
    out.getBuffer().setLength(0);
    assertThat(larder("jobs", "stop-stream-to-online", "-p", "demo", "-t", "driver_trips"))
        .isZero();
    assertThat(out.toString()).contains("no stream job of demo/driver_trips was running");
    assertThat(larder("jobs", "stop-stream-to-online", "-p", "demo", "-t", "nope")).isEqualTo(2);
  }

  @Test
  void historicalFeaturesWaitsAndPrintsTheFirstRows() throws Exception {
    Path entities = file("entities.csv", "driver_id,event_timestamp\n1001,2030-01-01T12:00:00Z\n");

    int exit =
        larder(
            "get-historical-features",
            "-p",
            "demo",
            "--entities",
            entities.toString(),
            "--features",
            "driver_trips:trips",
            "--output-location",
            dir.resolve("training").toString(),
            "--head",
            "5");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("training set: " + dir.resolve("training").resolve("retrieval-1"))
        .contains("(2 rows)")
        .contains("driver_trips__trips")
        .containsPattern("1001 +7")
        .containsPattern("1002 +null");

    assertThat(
            larder(
                "get-historical-features",
                "--entities",
                entities.toString(),
                "--features",
                "driver_trips:nope",
                "--output-location",
                dir.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("INVALID_ARGUMENT").contains("unknown feature");
    assertThat(
            larder(
                "get-historical-features",
                "--entities",
                dir.resolve("missing.csv").toString(),
                "--features",
                "driver_trips:trips"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--entities: " + dir.resolve("missing.csv") + " does not exist");
  }
}
