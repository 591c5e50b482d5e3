package io.larder.loadtest.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void addsUserAndSystemTicksCountingFieldsAfterTheCommand() {
    // utime 1500 and stime 250 are fields 14 and 15; the command holds spaces and a ")".
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 215 0 0 0 1500 250 0 0 20 0 40 0 123 456"
            + " 789\n";

    assertThat(ProcessCpu.parseTicks(stat)).isEqualTo(1750);
  }

  @Test
  void refusesWhatIsNotAStatLine() {
    assertThatThrownBy(() -> ProcessCpu.parseTicks("no command here"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcessCpu.parseTicks("1 (a) S 1 2"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsThisProcessAndNothingForAMissingOne() {
    assertThat(ProcessCpu.ticks(ProcessHandle.current().pid())).isPresent();
    assertThat(ProcessCpu.ticks(Integer.MAX_VALUE)).isEmpty();
  }

  @Test
  void aWindowCountsTheCpuSpentBetweenItsTwoSamples() throws Exception {
    long now = System.nanoTime();
    long self = ProcessHandle.current().pid();
    CpuWindow window =
        CpuWindow.start(
            Map.of("self", self, "gone", (long) Integer.MAX_VALUE), 100, now, now + 300_000_000L);
    long spinUntil = now + 250_000_000L;
    while (System.nanoTime() < spinUntil) {
      Thread.onSpinWait();
    }

    Map<String, Double> seconds = window.cpuSeconds();

    assertThat(seconds.get("self")).isGreaterThan(0.1);
    assertThat(seconds.get("gone")).isNaN();
  }
}
