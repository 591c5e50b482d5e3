package io.larder.sdk.training;

import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A point-in-time training set the retrieval job wrote: where its parquet is, the job that wrote
 * it, and its rows read without Spark (DuckDB reads the parquet, row by row, not all in memory).
 */
public final class TrainingDataset {

  private final String outputUri;
  private final JobDetails job;

  public TrainingDataset(String outputUri, JobDetails job) {
    this.outputUri = outputUri;
    this.job = job;
  }

  /** The parquet output, e.g. {@code file:///data/training/run-1}. */
  public String outputUri() {
    return outputUri;
  }

  /** The retrieval job as it ended (its progress holds the row count). */
  public JobDetails job() {
    return job;
  }

  /**
   * The rows, column name to value, streamed from the parquet files; close the stream when done.
   * Only for outputs on a local or mounted file system.
   */
  public Stream<Map<String, Object>> rows() {
    Path path = localPath(outputUri);
    String glob =
        Files.isDirectory(path)
            ? path.resolve("**").resolve("*.parquet").toString()
            : path.toString();
    try {
      Connection connection = DriverManager.getConnection("jdbc:duckdb:");
      Statement statement = connection.createStatement();
      ResultSet result =
          statement.executeQuery(
              "SELECT * FROM read_parquet('"
                  + glob.replace("'", "''")
                  + "', union_by_name = true)");
      Iterator<Map<String, Object>> rows = new RowIterator(result);
      return StreamSupport.stream(
              Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL),
              false)
          .onClose(
              () -> {
                try (connection;
                    statement;
                    result) {
                  // closed in reverse order of opening
                } catch (SQLException e) {
                  throw new IllegalStateException("cannot close the parquet reader", e);
                }
              });
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the training set at " + outputUri + ": " + e.getMessage(), e);
    }
  }

  /** The first {@code n} rows (or fewer). */
  public List<Map<String, Object>> head(int n) {
    try (Stream<Map<String, Object>> rows = rows()) {
      return rows.limit(n).toList();
    }
  }

  static Path localPath(String uri) {
    if (uri.startsWith("file:")) {
      return Path.of(URI.create(uri));
    }
    if (uri.contains("://")) {
      throw new IllegalArgumentException(
          "training set at " + uri + " is not on a local file system; read it with its own tools");
    }
    return Path.of(uri);
  }

  private static final class RowIterator implements Iterator<Map<String, Object>> {
    private final ResultSet result;
    private final List<String> columns = new ArrayList<>();
    private Boolean hasNext;

    RowIterator(ResultSet result) throws SQLException {
      this.result = result;
      ResultSetMetaData meta = result.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnLabel(i));
      }
    }

    @Override
    public boolean hasNext() {
      if (hasNext == null) {
        try {
          hasNext = result.next();
        } catch (SQLException e) {
          throw new IllegalStateException("cannot read the next training row", e);
        }
      }
      return hasNext;
    }

    @Override
    public Map<String, Object> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      hasNext = null;
      Map<String, Object> row = new LinkedHashMap<>();
      try {
        for (int i = 0; i < columns.size(); i++) {
          row.put(columns.get(i), result.getObject(i + 1));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read a training row", e);
      }
      return row;
    }
  }
}
