package io.larder.gateway.featurespec;

/**
 * No feature specs have been loaded from the registry yet (start-up went on after its timeout), so
 * no request can be resolved; the gateway answers UNAVAILABLE until the first load succeeds.
 */
public final class FeatureSpecsNotLoadedException extends RuntimeException {

  public FeatureSpecsNotLoadedException(String message) {
    super(message, null, false, false);
  }
}
