package io.larder.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.orchestrator.OrchestratorException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobCommandsTest {

  @Test
  void featureRefsAreGroupedByTableInRequestOrder() {
    assertThat(JobCommands.featureRefs(List.of("b:x", "a:y", "b:z")))
        .containsExactly(Map.entry("b", List.of("x", "z")), Map.entry("a", List.of("y")));
  }

  @Test
  void malformedEmptyOrDuplicatedRefsAreRefusedNamingTheirIndex() {
    assertRefused(List.of(), "feature_refs: at least one");
    assertRefused(List.of("a:x", "x"), "feature_refs[1]: 'x' is not of the form table:feature");
    assertRefused(List.of(":x"), "feature_refs[0]");
    assertRefused(List.of("a:"), "feature_refs[0]");
    assertRefused(List.of("a:b:c"), "feature_refs[0]");
    assertRefused(List.of("a:x", "a:x"), "feature_refs[1]: 'a:x' is listed twice");
  }

  private static void assertRefused(List<String> refs, String message) {
    assertThatThrownBy(() -> JobCommands.featureRefs(refs))
        .isInstanceOfSatisfying(
            OrchestratorException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OrchestratorException.Reason.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
