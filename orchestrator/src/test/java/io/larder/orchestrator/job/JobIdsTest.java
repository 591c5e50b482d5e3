package io.larder.orchestrator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  @Test
  void idsArePrefixedVersion4UuidsAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = JobIds.next("batch");
      assertThat(id).startsWith("batch-");
      UUID uuid = UUID.fromString(id.substring("batch-".length()));
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(seen.add(id)).isTrue();
    }
  }
}
