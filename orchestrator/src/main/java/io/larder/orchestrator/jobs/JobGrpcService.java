package io.larder.orchestrator.jobs;

import io.larder.proto.core.ReactorJobServiceGrpc;
import org.springframework.stereotype.Component;

/** The Feast-0.9 JobService over gRPC; RPCs not yet built answer UNIMPLEMENTED. */
@Component
class JobGrpcService extends ReactorJobServiceGrpc.JobServiceImplBase {}
