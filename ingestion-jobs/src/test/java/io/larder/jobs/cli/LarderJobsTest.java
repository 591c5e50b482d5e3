package io.larder.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the command answers before any Spark starts: usage and spec errors, as JSON, exit 2. */
class LarderJobsTest {

  @TempDir Path dir;

  @Test
  void anUnknownJobIsRefusedWithTheJobsThereAre() {
    Run run = run("compact", "--spec", "{}");

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.stdout)
        .contains("\"status\":\"FAILED\"")
        .contains("unknown job")
        .contains("(batch-ingestion, stream-ingestion, historical-retrieval or layout-migration)");
  }

  @Test
  void aSpecWithAnUnknownFieldIsRefusedNamingIt() {
    Run run = run("batch-ingestion", "--spec", "{\"projekt\": \"x\"}");

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.stdout).contains("BatchIngestionSpec").contains("projekt");
  }

  @Test
  void aMissingSpecFileIsRefusedAndTheResultFileWritten() throws Exception {
    Path result = dir.resolve("result.json");

    Run run =
        run(
            "historical-retrieval",
            "--spec",
            dir.resolve("nope.json").toString(),
            "--result",
            result.toString());

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(Files.readString(result))
        .contains("\"job\":\"historical_retrieval\"")
        .contains("neither inline JSON nor a readable file");
  }

  private record Run(int exitCode, String stdout) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new LarderJobs()).execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
