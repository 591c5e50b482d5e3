package io.larder.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.jobs.spec.JobSpecs;
import io.larder.proto.larder.JobsProto.JobResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamProgressTest {

  @TempDir Path dir;

  @Test
  void writesTheRunningTotalsAsOneLineReplacingThePreviousFile() throws Exception {
    Path file = dir.resolve("jobs").resolve("rides.progress.json");
    StreamTotals totals = new StreamTotals();
    StreamProgress progress = new StreamProgress(file.toString(), "local-1", totals);

    progress.write();
    totals.add(5, 3, 1, Map.of(StreamIngestionJob.MALFORMED, 1L));
    progress.write();

    assertThat(Files.readAllLines(file)).hasSize(1);
    JobResult written = JobSpecs.parse(file.toString(), JobResult.newBuilder());
    assertThat(written.getJob()).isEqualTo("stream_ingestion");
    assertThat(written.getStatus()).isEqualTo("RUNNING");
    assertThat(written.getApplicationId()).isEqualTo("local-1");
    assertThat(written.getRowsRead()).isEqualTo(5);
    assertThat(written.getRowsWritten()).isEqualTo(3);
    assertThat(written.getRowsNotNewer()).isEqualTo(1);
    assertThat(written.getMessagesMalformed()).isEqualTo(1);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aFileThatCannotBeWrittenIsLoggedNotThrown() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    StreamProgress progress =
        new StreamProgress(
            notADirectory.resolve("progress.json").toString(), "local-1", new StreamTotals());

    progress.write();

    assertThat(Files.readString(notADirectory)).isEqualTo("x");
  }
}
