package io.larder.jobs.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecsTest {

  @TempDir Path dir;

  @Test
  void readsInlineJsonAFileAndAnAtFile() throws Exception {
    String json = "{\"project\": \"p\", \"table\": {\"name\": \"t\"}, \"redis\": {\"uri\": \"r\"}}";
    Path file = dir.resolve("spec.json");
    Files.writeString(file, json);

    for (String spec : new String[] {json, file.toString(), "@" + file}) {
      BatchIngestionSpec parsed = JobSpecs.parse(spec, BatchIngestionSpec.newBuilder());
      assertThat(parsed.getProject()).isEqualTo("p");
      assertThat(parsed.getTable().getName()).isEqualTo("t");
    }
  }

  @Test
  void refusesBlankInvalidAndUnknownFieldSpecs() {
    assertThatThrownBy(() -> JobSpecs.parse(" ", BatchIngestionSpec.newBuilder()))
        .hasMessageContaining("--spec is required");
    assertThatThrownBy(() -> JobSpecs.parse("{\"project\": ", BatchIngestionSpec.newBuilder()))
        .hasMessageContaining("not a valid BatchIngestionSpec");
    assertThatThrownBy(() -> JobSpecs.parse("{\"tabel\": {}}", BatchIngestionSpec.newBuilder()))
        .hasMessageContaining("tabel");
  }

  @Test
  void printsResultsAsOneLineWithProtoFieldNamesAndZeroCounts() {
    String json = JobSpecs.toJson(JobResult.newBuilder().setJob("batch_ingestion").build());

    assertThat(json)
        .doesNotContain("\n")
        .contains("\"rows_written\":\"0\"")
        .contains("\"job\":\"batch_ingestion\"");
  }
}
