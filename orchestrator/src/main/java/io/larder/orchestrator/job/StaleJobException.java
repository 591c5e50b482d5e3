package io.larder.orchestrator.job;

/** Another writer changed the job between our read and our write; read again. */
public final class StaleJobException extends RuntimeException {
  public StaleJobException(String id) {
    super("job " + id + " changed concurrently", null, false, false);
  }
}
