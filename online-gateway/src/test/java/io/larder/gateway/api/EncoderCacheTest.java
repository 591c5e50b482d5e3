package io.larder.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.OnlineAnswer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EncoderCacheTest {

  @Test
  void answersOfOneShapeShareOneEncoderAndOtherShapesGetTheirOwn() {
    AtomicInteger made = new AtomicInteger();
    EncoderCache<Integer> cache = new EncoderCache<>(answer -> made.incrementAndGet(), 8);

    Integer first = cache.forShape(answer("t:a", "t:b"));
    Integer again = cache.forShape(answer(new String("t:a"), new String("t:b")));
    Integer other = cache.forShape(answer("t:b", "t:a"));

    assertThat(again).isSameAs(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(made).hasValue(2);
  }

  @Test
  void manyShapesNeverHoldMoreThanTheBound() {
    EncoderCache<String> cache = new EncoderCache<>(answer -> answer.reference(0), 4);
    for (int i = 0; i < 100; i++) {
      assertThat(cache.forShape(answer("t:f" + i))).isEqualTo("t:f" + i);
      assertThat(cache.size()).isLessThanOrEqualTo(4);
    }
  }

  private static OnlineAnswer answer(String... references) {
    return new OnlineAnswer(
        0,
        List.of(Map.of()),
        references,
        new byte[references.length],
        new byte[references.length][]);
  }
}
