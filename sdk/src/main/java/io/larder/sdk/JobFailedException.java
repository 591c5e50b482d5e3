package io.larder.sdk;

import io.larder.proto.larder.JobServiceExtProto.JobDetails;

/** A job the caller waited for ended ERROR; carries its details (error, log, history). */
public final class JobFailedException extends RuntimeException {

  private final transient JobDetails details;

  public JobFailedException(JobDetails details) {
    super(
        "job %s failed: %s (log %s)"
            .formatted(
                details.getJob().getId(),
                details.getError().isBlank() ? "no error message" : details.getError(),
                details.getJob().getLogUri()));
    this.details = details;
  }

  public JobDetails details() {
    return details;
  }
}
