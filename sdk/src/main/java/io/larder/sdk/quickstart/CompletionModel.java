package io.larder.sdk.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A logistic regression of order completion on a driver's features, trained by batch gradient
 * descent on standardized inputs: small enough to read, enough to show the flow.
 *
 * @param features feature references, in input order
 * @param means the training inputs' means, per feature
 * @param scales the training inputs' standard deviations, per feature
 * @param weights one per feature, then the intercept
 */
record CompletionModel(List<String> features, double[] means, double[] scales, double[] weights) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fits {@code x} (rows of feature values) to {@code y} (0 or 1). */
  static CompletionModel train(
      List<String> features, double[][] x, int[] y, int epochs, double rate) {
    int n = x.length;
    int k = features.size();
    double[] means = new double[k];
    double[] scales = new double[k];
    for (int j = 0; j < k; j++) {
      for (double[] row : x) {
        means[j] += row[j] / n;
      }
      for (double[] row : x) {
        scales[j] += (row[j] - means[j]) * (row[j] - means[j]) / n;
      }
      scales[j] = Math.sqrt(scales[j]) == 0 ? 1 : Math.sqrt(scales[j]);
    }
    double[] weights = new double[k + 1];
    CompletionModel model = new CompletionModel(features, means, scales, weights);
    for (int epoch = 0; epoch < epochs; epoch++) {
      double[] gradient = new double[k + 1];
      for (int i = 0; i < n; i++) {
        double error = model.probability(x[i]) - y[i];
        for (int j = 0; j < k; j++) {
          gradient[j] += error * (x[i][j] - means[j]) / scales[j] / n;
        }
        gradient[k] += error / n;
      }
      for (int j = 0; j <= k; j++) {
        weights[j] -= rate * gradient[j];
      }
    }
    return model;
  }

  /** The probability that an order to a driver with these feature values is completed. */
  double probability(double[] values) {
    double z = weights[weights.length - 1];
    for (int j = 0; j < values.length; j++) {
      z += weights[j] * (values[j] - means[j]) / scales[j];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** Share of rows whose label the model predicts (threshold 0.5). */
  double accuracy(double[][] x, int[] y) {
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      right += (probability(x[i]) >= 0.5 ? 1 : 0) == y[i] ? 1 : 0;
    }
    return (double) right / x.length;
  }

  void save(Path file) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), this);
  }

  static CompletionModel load(Path file) throws IOException {
    return JSON.readValue(file.toFile(), CompletionModel.class);
  }
}
