package io.larder.registry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/** The version the registry reports: the build's, or "dev" when run from an IDE. */
@Component
public class RegistryVersion {

  private final String value;

  RegistryVersion(ObjectProvider<BuildProperties> build) {
    BuildProperties properties = build.getIfAvailable();
    this.value = properties == null ? "dev" : properties.getVersion();
  }

  public String value() {
    return value;
  }
}
