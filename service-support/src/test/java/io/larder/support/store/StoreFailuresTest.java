package io.larder.support.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;

class StoreFailuresTest {

  @Test
  void connectionFailuresAnywhereInTheCausesAreUnreachable() {
    assertThat(StoreFailures.isUnreachable(new ConnectException("refused"))).isTrue();
    assertThat(
            StoreFailures.isUnreachable(
                new DataAccessResourceFailureException(
                    "acquire", new R2dbcNonTransientResourceException("closed"))))
        .isTrue();
    assertThat(StoreFailures.isUnreachable(new R2dbcTransientResourceException("pool"))).isTrue();
    assertThat(
            StoreFailures.isUnreachable(new IllegalStateException(new TimeoutException("acquire"))))
        .isTrue();
  }

  @Test
  void bugsAndRefusedWritesAreNot() {
    assertThat(StoreFailures.isUnreachable(new IllegalStateException("bug"))).isFalse();
    assertThat(StoreFailures.isUnreachable(new DataIntegrityViolationException("duplicate")))
        .isFalse();
    assertThat(StoreFailures.isUnreachable(null)).isFalse();
  }
}
