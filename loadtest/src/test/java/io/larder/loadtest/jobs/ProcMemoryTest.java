package io.larder.loadtest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcMemoryTest {

  @Test
  void readsResidentAndPeakMemoryAndTheLastXmx() {
    String status =
        "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  912340 kB\nVmRSS:\t  850000 kB\nThreads:\t90\n";

    ProcMemory memory =
        ProcMemory.parse(status, List.of("java", "-Xmx512m", "-Xmx1g", "-cp", "x", "Main"));

    assertThat(memory).isEqualTo(new ProcMemory(850_000, 912_340, "1g"));
  }

  @Test
  void aJvmWithoutXmxRunsWithTheDefault() {
    assertThat(ProcMemory.parse("VmRSS:\t1 kB\n", List.of("java", "Main")).xmx())
        .isEqualTo("default");
  }
}
