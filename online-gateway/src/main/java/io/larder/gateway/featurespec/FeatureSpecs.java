package io.larder.gateway.featurespec;

/** Where a request finds the feature specs: a lock-free read of the latest snapshot. */
@FunctionalInterface
public interface FeatureSpecs {

  /**
   * @return the latest snapshot; never waits for the registry
   * @throws FeatureSpecsNotLoadedException when no snapshot has been loaded yet
   */
  FeatureSpecSnapshot current();
}
