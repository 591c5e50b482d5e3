package io.larder.gateway.featurespec;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The registry client and the spec cache it feeds. */
@Configuration(proxyBeanMethods = false)
class FeatureSpecConfiguration {

  @Bean(destroyMethod = "close")
  RegistryClient registryClient(RegistryProperties properties) {
    return new RegistryClient(properties.target(), properties.callTimeout(), properties.token());
  }

  @Bean
  RegistrySpecCache featureSpecCache(RegistryClient registryClient, RegistryProperties properties) {
    return new RegistrySpecCache(registryClient, properties);
  }

  @Bean
  FeatureSpecsHealthIndicator featureSpecsHealthIndicator(RegistrySpecCache featureSpecCache) {
    return new FeatureSpecsHealthIndicator(featureSpecCache);
  }
}
