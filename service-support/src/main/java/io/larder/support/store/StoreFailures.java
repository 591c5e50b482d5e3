package io.larder.support.store;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;

/** Tells a database that cannot be reached (answer UNAVAILABLE, retry) from a bug (INTERNAL). */
public final class StoreFailures {

  private StoreFailures() {}

  /** Whether the failure, or any cause of it, says PostgreSQL cannot be reached right now. */
  public static boolean isUnreachable(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof DataAccessResourceFailureException
          || cause instanceof TransientDataAccessException
          || cause instanceof R2dbcTransientException
          || cause instanceof R2dbcNonTransientResourceException
          || cause instanceof TimeoutException
          || cause instanceof ConnectException
          || cause instanceof ClosedChannelException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * The SQLSTATE when PostgreSQL refused a value of the request as data (class 22: a NUL character
   * or an unpaired surrogate in a name, a number out of range), else null: the caller's input,
   * answered INVALID_ARGUMENT, not a fault of the service.
   */
  public static String rejectedValueState(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof R2dbcException database
          && database.getSqlState() != null
          && database.getSqlState().startsWith("22")) {
        return database.getSqlState();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }
}
