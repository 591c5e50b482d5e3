package io.larder.loadtest.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class EntityIdsTest {

  @RepeatedTest(20)
  void idsAreDistinctAndInRange() {
    long[] ids = EntityIds.distinct(100, 150);

    assertThat(ids).hasSize(100);
    assertThat(Arrays.stream(ids).distinct().count()).isEqualTo(100);
    assertThat(Arrays.stream(ids).allMatch(id -> id >= 0 && id < 150)).isTrue();
  }

  @Test
  void asManyRowsAsEntitiesTakesEveryEntity() {
    long[] ids = EntityIds.distinct(10, 10);

    Arrays.sort(ids);
    assertThat(ids).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void moreRowsThanEntitiesIsRefused() {
    assertThatThrownBy(() -> EntityIds.distinct(11, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("11 distinct ids out of 10");
  }

  @Test
  void spreadIdsAreDistinctInRangeAndTheSameEveryCall() {
    assertThat(EntityIds.spread(4, 100)).containsExactly(0, 25, 50, 75);
    assertThat(EntityIds.spread(10, 10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(EntityIds.spread(3, 100_000)).isEqualTo(EntityIds.spread(3, 100_000));
    assertThatThrownBy(() -> EntityIds.spread(11, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
