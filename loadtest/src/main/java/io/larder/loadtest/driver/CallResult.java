package io.larder.loadtest.driver;

/**
 * What one successful call returned, for the report's sanity columns: rows answered and how many of
 * the checked feature values were actually there (so a misconfigured run that answers NOT_FOUND
 * very fast cannot pass as a fast one).
 *
 * @param rows entity rows in the answer
 * @param valuesPresent checked values that were present
 * @param valuesChecked values checked (all, or a sample)
 */
public record CallResult(int rows, long valuesPresent, long valuesChecked) {}
