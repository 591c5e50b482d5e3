package io.larder.sdk.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.LarderSettings;
import io.larder.sdk.Values;
import io.larder.sdk.training.TrainingDataset;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quickstart's model side, around the feature store: example data, a model trained on a
 * point-in-time training set, and a model endpoint that fetches online features per request.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = "The ride-hailing example: data, a completion model, a model endpoint.",
    subcommands = {Quickstart.Generate.class, Quickstart.Train.class, Quickstart.Serve.class})
public final class Quickstart {

  static final List<String> FEATURES =
      List.of("driver_stats:acc_rate", "driver_stats:avg_rating", "driver_stats:trips_today");
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    System.exit(new CommandLine(new Quickstart()).execute(args));
  }

  @Command(name = "generate", description = "Writes driver_stats.csv and orders.csv.")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--drivers", defaultValue = "200")
    int drivers;

    @Option(names = "--orders", defaultValue = "2000")
    int orders;

    @Override
    public Integer call() throws IOException {
      RideData.generate(out, drivers, orders);
      System.out.printf(
          "quickstart: %d drivers' hourly stats over %s..%s in %s, %d labelled orders in %s%n",
          drivers,
          RideData.START,
          RideData.END,
          out.resolve("driver_stats.csv"),
          orders,
          out.resolve("orders.csv"));
      return 0;
    }
  }

  @Command(name = "train", description = "Trains the completion model on a training set.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--training-set", required = true, description = "The retrieval job's output.")
    String trainingSet;

    @Option(names = "--label", defaultValue = "completed")
    String label;

    @Option(names = "--model", required = true, description = "Where the model is saved (JSON).")
    Path model;

    @Override
    public Integer call() throws IOException {
      List<double[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      int skipped = 0;
      try (Stream<Map<String, Object>> rows = new TrainingDataset(trainingSet, null).rows()) {
        for (Map<String, Object> row : (Iterable<Map<String, Object>>) rows::iterator) {
          double[] values = new double[FEATURES.size()];
          boolean complete = true;
          for (int j = 0; j < FEATURES.size(); j++) {
            Object value = row.get(FEATURES.get(j).replace(":", "__"));
            complete &= value instanceof Number;
            values[j] = value instanceof Number number ? number.doubleValue() : 0;
          }
          if (!complete) {
            skipped++;
            continue;
          }
          x.add(values);
          // A label from a CSV entity source arrives as text.
          Object value = row.get(label);
          y.add(
              value instanceof Number number
                  ? number.intValue()
                  : Integer.parseInt(String.valueOf(value).strip()));
        }
      }
      // Every fifth row held out, to judge the model on rows it did not see.
      List<double[]> trainX = new ArrayList<>();
      List<Integer> trainY = new ArrayList<>();
      List<double[]> testX = new ArrayList<>();
      List<Integer> testY = new ArrayList<>();
      for (int i = 0; i < x.size(); i++) {
        (i % 5 == 0 ? testX : trainX).add(x.get(i));
        (i % 5 == 0 ? testY : trainY).add(y.get(i));
      }
      int[] trainLabels = trainY.stream().mapToInt(Integer::intValue).toArray();
      int[] testLabels = testY.stream().mapToInt(Integer::intValue).toArray();
      CompletionModel fitted =
          CompletionModel.train(FEATURES, trainX.toArray(double[][]::new), trainLabels, 2000, 0.5);
      double completedShare = testY.stream().mapToInt(Integer::intValue).average().orElse(0);
      System.out.printf(
          "quickstart: trained on %d rows (%d without features skipped), held out %d;"
              + " accuracy %.1f%% on the held-out rows (always guessing the majority: %.1f%%)%n",
          trainX.size(),
          skipped,
          testX.size(),
          100 * fitted.accuracy(testX.toArray(double[][]::new), testLabels),
          100 * Math.max(completedShare, 1 - completedShare));
      fitted.save(model);
      System.out.println("quickstart: model saved to " + model);
      return 0;
    }
  }

  @Command(
      name = "serve",
      description =
          "Serves predictions: GET /predict?driver_id=N fetches the driver's online features.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--model", required = true)
    Path model;

    @Option(names = "--port", defaultValue = "8090")
    int port;

    @Option(
        names = {"-p", "--project"},
        defaultValue = "${env:LARDER_PROJECT:-default}")
    String project;

    @Override
    public Integer call() throws Exception {
      CompletionModel loaded = CompletionModel.load(model);
      try (LarderClient larder = LarderClient.connect(LarderSettings.defaults())) {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/predict", exchange -> predict(exchange, larder, loaded, project));
        server.start();
        System.out.printf(
            "quickstart: model endpoint on http://127.0.0.1:%d/predict?driver_id=N%n", port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      server.stop(1);
                      stopped.countDown();
                    }));
        stopped.await();
      }
      return 0;
    }
  }

  /** Request → the drivers' online features from the gateway → the model's prediction. */
  static void predict(
      HttpExchange exchange, LarderClient larder, CompletionModel model, String project)
      throws IOException {
    int status = 200;
    ObjectNode body = JSON.createObjectNode();
    try {
      List<EntityRow> rows = new ArrayList<>();
      String query = exchange.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        String[] parts = pair.split("=", 2);
        if (parts.length == 2 && parts[0].equals("driver_id")) {
          rows.add(
              Values.entityRow(
                  "driver_id",
                  Long.parseLong(URLDecoder.decode(parts[1], StandardCharsets.UTF_8))));
        }
      }
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("give one or more driver_id=N");
      }
      GetOnlineFeaturesResponse online = larder.getOnlineFeatures(project, model.features(), rows);
      ArrayNode predictions = body.putArray("predictions");
      for (FieldValues row : online.getFieldValuesList()) {
        ObjectNode prediction = predictions.addObject();
        prediction.put("driver_id", row.getFieldsOrThrow("driver_id").getInt64Val());
        ObjectNode features = prediction.putObject("features");
        double[] values = new double[model.features().size()];
        boolean known = true;
        for (int j = 0; j < values.length; j++) {
          String ref = model.features().get(j);
          boolean present =
              row.getStatusesOrDefault(ref, FieldStatus.NOT_FOUND) == FieldStatus.PRESENT;
          Object value = present ? Values.toJava(row.getFieldsOrThrow(ref)) : null;
          features.putPOJO(ref, value);
          known &= value instanceof Number;
          values[j] = value instanceof Number number ? number.doubleValue() : 0;
        }
        if (known) {
          prediction.put(
              "completion_probability", Math.round(model.probability(values) * 1000) / 1000.0);
        } else {
          prediction.putNull("completion_probability");
          prediction.put("reason", "no online features for this driver");
        }
      }
    } catch (IllegalArgumentException e) {
      status = 400;
      body.put("error", e.getMessage());
    } catch (LarderException e) {
      status = e.unreachable() ? 503 : 502;
      body.put("error", e.getMessage());
    }
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Quickstart() {}
}
