package io.larder.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointOffsetsTest {

  @TempDir Path checkpoint;

  @Test
  void theOffsetsOfTheLastCommittedBatchAreWhereTheNextJobStarts() throws Exception {
    Files.createDirectories(checkpoint.resolve("commits"));
    Files.createDirectories(checkpoint.resolve("offsets"));
    Files.writeString(checkpoint.resolve("commits/0"), "v1\n{}\n");
    Files.writeString(checkpoint.resolve("commits/1"), "v1\n{}\n");
    Files.writeString(
        checkpoint.resolve("offsets/1"), "v1\n{\"batchWatermarkMs\":0}\n{\"t\":{\"0\":42}}\n");
    // Batch 2 is planned but not committed: it is not where the next job starts.
    Files.writeString(
        checkpoint.resolve("offsets/2"), "v1\n{\"batchWatermarkMs\":0}\n{\"t\":{\"0\":50}}\n");
    Files.createDirectories(checkpoint.resolve("commits/.tmp"));

    assertThat(CheckpointOffsets.lastCommitted(checkpoint, "t")).contains("{\"t\":{\"0\":42}}");
  }

  @Test
  void offsetsOfAnotherTopicAreNotCarriedOver() throws Exception {
    Files.createDirectories(checkpoint.resolve("commits"));
    Files.createDirectories(checkpoint.resolve("offsets"));
    Files.writeString(checkpoint.resolve("commits/0"), "v1\n{}\n");
    Files.writeString(
        checkpoint.resolve("offsets/0"),
        "v1\n{\"batchWatermarkMs\":0}\n{\"rides-v1\":{\"1\":7,\"0\":42}}\n");

    assertThat(CheckpointOffsets.lastCommitted(checkpoint, "rides-v1"))
        .contains("{\"rides-v1\":{\"1\":7,\"0\":42}}");
    assertThat(CheckpointOffsets.lastCommitted(checkpoint, "rides-v2")).isEmpty();
    assertThat(CheckpointOffsets.topicsOf("{\"a\":{\"0\":1},\"b.c-d\":{\"0\":2}}"))
        .containsExactly("a", "b.c-d");
  }

  @Test
  void nothingCommittedMeansNoOffsets() throws Exception {
    assertThat(CheckpointOffsets.lastCommitted(checkpoint.resolve("missing"), "t")).isEmpty();
    Files.createDirectories(checkpoint.resolve("commits"));
    assertThat(CheckpointOffsets.lastCommitted(checkpoint, "t")).isEmpty();
  }
}
