package io.larder.sdk.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

  @Test
  void readsShortFormsAndIso() {
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1_500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(DurationConverter.parse("0")).isZero();
    assertThat(DurationConverter.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void rejectsWhatIsNotADuration() {
    assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a duration: 'soon'");
  }
}
