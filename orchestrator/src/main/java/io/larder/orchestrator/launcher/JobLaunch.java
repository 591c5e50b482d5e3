package io.larder.orchestrator.launcher;

import java.util.Map;

/**
 * What to run: one of the ingestion-jobs applications with its spec.
 *
 * @param jobId the orchestrator's id of the job
 * @param application batch-ingestion, stream-ingestion or historical-retrieval
 * @param specJson the larder.jobs spec as protobuf JSON
 * @param files the job's directory
 */
public record JobLaunch(
    String jobId,
    String application,
    String specJson,
    JobFiles files,
    String sparkMaster,
    Map<String, String> sparkConf) {}
