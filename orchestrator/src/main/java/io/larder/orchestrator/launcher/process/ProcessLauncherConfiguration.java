package io.larder.orchestrator.launcher.process;

import io.larder.orchestrator.OrchestratorProperties;
import io.larder.orchestrator.launcher.JobLauncher;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The child-process launcher: local[*] by default, any Spark master by configuration. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
    name = "larder.orchestrator.launcher",
    havingValue = "process",
    matchIfMissing = true)
class ProcessLauncherConfiguration {

  @Bean
  JobLauncher processJobLauncher(OrchestratorProperties properties) {
    return new ProcessJobLauncher(properties.jobs());
  }
}
