package io.larder.gateway.lookup;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import io.larder.gateway.GatewayException;
import io.larder.gateway.featurespec.EntityKeySpec;
import io.larder.gateway.featurespec.FeatureSpec;
import io.larder.gateway.featurespec.FeatureSpecSnapshot;
import io.larder.gateway.featurespec.ProjectSpec;
import io.larder.gateway.featurespec.TableSpec;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineRowReader;
import io.larder.onlinestore.OnlineRowReader.Freshness;
import io.larder.onlinestore.OnlineValues;
import io.larder.onlinestore.PackedRows;
import io.larder.onlinestore.StoredValues;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one request is answered: its features resolved against a spec snapshot and grouped into
 * {@link ReadGroup}s (hash-layout tables keyed on the same entities share a Redis hash, so one
 * HMGET reads all their fields and timestamps; a packed table is one string per row), then, per
 * range of rows, one {@link HashRead} or {@link ValueRead} per distinct key. Everything per table
 * and feature (fields, response keys, max ages) comes precomputed from the snapshot; per row only
 * the key is encoded.
 */
final class LookupPlan {

  static final String DEFAULT_PROJECT = "default";

  private static final int KEY_VALUES_FIELD = 3; // RedisKeyV2.entity_values

  private final List<EntityRow> rows;
  private final ReadGroup[] groups;
  private final int maxKeySize;
  // Slot order: group by group, table by table, feature by feature, as answer() walks them.
  private final String[] references;
  private final long receivedNanos;

  private LookupPlan(List<EntityRow> rows, ReadGroup[] groups, long receivedNanos) {
    this.rows = rows;
    this.groups = groups;
    this.receivedNanos = receivedNanos;
    int widest = 0;
    for (ReadGroup group : groups) {
      widest = Math.max(widest, group.key.size());
    }
    this.maxKeySize = widest;
    List<String> answerKeys = new ArrayList<>();
    for (ReadGroup group : groups) {
      for (FeatureSpec[] features : group.features) {
        for (FeatureSpec feature : features) {
          answerKeys.add(feature.reference());
        }
      }
    }
    this.references = answerKeys.toArray(String[]::new);
  }

  /**
   * Validates the request's shape and resolves its features; rows are checked per {@link #batch}.
   *
   * @param receivedNanos the request's receive time (epoch nanoseconds): max age is measured from
   *     it for rows without a timestamp
   */
  static LookupPlan of(
      FeatureSpecSnapshot specs,
      GetOnlineFeaturesRequestV2 request,
      LookupProperties limits,
      long receivedNanos) {
    int featureCount = request.getFeaturesCount();
    if (featureCount == 0) {
      throw GatewayException.invalid("features: at least one feature reference is required");
    }
    if (featureCount > limits.maxFeatures()) {
      throw GatewayException.invalid(
          "features: "
              + featureCount
              + " requested, more than the limit of "
              + limits.maxFeatures()
              + " (larder.gateway.max-features)");
    }
    int rowCount = request.getEntityRowsCount();
    if (rowCount > limits.maxEntityRows()) {
      throw GatewayException.invalid(
          "entity_rows: "
              + rowCount
              + " rows, more than the limit of "
              + limits.maxEntityRows()
              + " (larder.gateway.max-entity-rows)");
    }
    String projectName = request.getProject().isEmpty() ? DEFAULT_PROJECT : request.getProject();
    ProjectSpec project = specs.project(projectName);
    if (project == null) {
      throw GatewayException.notFound("project '" + projectName + "' not found");
    }
    return new LookupPlan(
        request.getEntityRowsList(), groups(project, request.getFeaturesList()), receivedNanos);
  }

  /** Requested features by table (first-seen order, duplicates dropped), tables by entity key. */
  private static ReadGroup[] groups(ProjectSpec project, List<FeatureReferenceV2> references) {
    int[] tableSlot = new int[project.tableCount()];
    Arrays.fill(tableSlot, -1);
    List<TableSpec> tables = new ArrayList<>();
    List<List<FeatureSpec>> featuresOfTable = new ArrayList<>();
    List<boolean[]> seenOfTable = new ArrayList<>();
    for (int i = 0; i < references.size(); i++) {
      FeatureReferenceV2 reference = references.get(i);
      String tableName = reference.getFeatureTable();
      if (tableName.isEmpty()) {
        throw GatewayException.invalid("features[" + i + "].feature_table: must not be empty");
      }
      if (reference.getName().isEmpty()) {
        throw GatewayException.invalid("features[" + i + "].name: must not be empty");
      }
      TableSpec table = project.table(tableName);
      if (table == null) {
        throw GatewayException.notFound(
            "feature table '" + tableName + "' not found in project '" + project.name() + "'");
      }
      FeatureSpec feature = table.feature(reference.getName());
      if (feature == null) {
        throw GatewayException.notFound(
            "feature '"
                + tableName
                + ":"
                + reference.getName()
                + "' not found in project '"
                + project.name()
                + "'");
      }
      int slot = tableSlot[table.index()];
      if (slot < 0) {
        slot = tables.size();
        tableSlot[table.index()] = slot;
        tables.add(table);
        featuresOfTable.add(new ArrayList<>());
        seenOfTable.add(new boolean[table.features().size()]);
      }
      boolean[] seen = seenOfTable.get(slot);
      if (!seen[feature.index()]) {
        seen[feature.index()] = true;
        featuresOfTable.get(slot).add(feature);
      }
    }

    int[] groupSlot = new int[project.entityKeyCount()];
    Arrays.fill(groupSlot, -1);
    List<List<Integer>> tablesOfGroup = new ArrayList<>();
    for (int t = 0; t < tables.size(); t++) {
      if (tables.get(t).layout() == OnlineLayout.PACKED) {
        // A packed table is a string of its own: one MGET key per row.
        tablesOfGroup.add(List.of(t));
        continue;
      }
      int key = tables.get(t).entityKey().index();
      if (groupSlot[key] < 0) {
        groupSlot[key] = tablesOfGroup.size();
        tablesOfGroup.add(new ArrayList<>());
      }
      tablesOfGroup.get(groupSlot[key]).add(t);
    }
    ReadGroup[] groups = new ReadGroup[tablesOfGroup.size()];
    for (int g = 0; g < groups.length; g++) {
      List<Integer> members = tablesOfGroup.get(g);
      TableSpec[] groupTables = new TableSpec[members.size()];
      FeatureSpec[][] groupFeatures = new FeatureSpec[members.size()][];
      for (int m = 0; m < groupTables.length; m++) {
        groupTables[m] = tables.get(members.get(m));
        groupFeatures[m] = featuresOfTable.get(members.get(m)).toArray(FeatureSpec[]::new);
      }
      groups[g] = new ReadGroup(groupTables, groupFeatures);
    }
    return groups;
  }

  int rowCount() {
    return rows.size();
  }

  /**
   * The reads of rows {@code [from, to)}: checks each row has the entities its tables need, with
   * the declared types, encodes its keys and reads each distinct key once.
   */
  Batch batch(int from, int to) {
    int groupCount = groups.length;
    int[] readOf = new int[(to - from) * groupCount];
    List<StoreRead> reads = new ArrayList<>(Math.min(readOf.length, 1024));
    Map<ByteBuffer, Integer> readOfKey = new HashMap<>(Math.max(16, readOf.length * 2));
    Value[] values = new Value[maxKeySize];
    for (int r = from; r < to; r++) {
      Map<String, Value> fields = rows.get(r).getFieldsMap();
      for (int g = 0; g < groupCount; g++) {
        ReadGroup group = groups[g];
        byte[] key = encodeKey(r, fields, group, values);
        // Keys of different groups differ in their entity names or packed table, so one map
        // serves all groups.
        Integer read = readOfKey.putIfAbsent(ByteBuffer.wrap(key), reads.size());
        if (read == null) {
          readOf[(r - from) * groupCount + g] = reads.size();
          reads.add(group.packed ? new ValueRead(key) : new HashRead(key, group.fields));
        } else {
          readOf[(r - from) * groupCount + g] = read;
        }
      }
    }
    return new Batch(from, to, List.copyOf(reads), readOf);
  }

  /**
   * The serialized RedisKeyV2 (behind {@code _p:<table>:} for a packed table): the group's
   * precomputed prefix, then each entity value.
   */
  private static byte[] encodeKey(
      int row, Map<String, Value> fields, ReadGroup group, Value[] values) {
    EntityKeySpec key = group.key;
    byte[] prefix = group.keyPrefix;
    int size = prefix.length;
    for (int i = 0; i < key.size(); i++) {
      Value value = entityValue(row, fields, group, i);
      values[i] = value;
      size += CodedOutputStream.computeMessageSize(KEY_VALUES_FIELD, value);
    }
    byte[] encoded = Arrays.copyOf(prefix, size);
    CodedOutputStream out =
        CodedOutputStream.newInstance(encoded, prefix.length, size - prefix.length);
    try {
      for (int i = 0; i < key.size(); i++) {
        out.writeMessage(KEY_VALUES_FIELD, values[i]);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("entity key does not fit its computed size", e);
    }
    return encoded;
  }

  private static Value entityValue(
      int row, Map<String, Value> fields, ReadGroup group, int entity) {
    EntityKeySpec key = group.key;
    String name = key.name(entity);
    Value value = fields.get(name);
    if (value == null) {
      throw GatewayException.invalid(
          "entity_rows["
              + row
              + "]: missing entity '"
              + name
              + "' needed by feature table '"
              + group.neededBy()
              + "'");
    }
    ValueType.Enum declared = key.type(entity);
    boolean wellTyped =
        declared == ValueType.Enum.INVALID
            ? value.getValCase() != Value.ValCase.VAL_NOT_SET
            : OnlineValues.hasType(value, declared);
    if (!wellTyped) {
      throw GatewayException.invalid(
          "entity_rows["
              + row
              + "].fields['"
              + name
              + "']: entity '"
              + name
              + "' is "
              + declared
              + " but the value is "
              + (value.getValCase() == Value.ValCase.VAL_NOT_SET
                  ? "empty"
                  : value.getValCase().name().toLowerCase(Locale.ROOT)));
    }
    return value;
  }

  /**
   * The answer of a batch: per row its own fields echoed, then every requested feature's status and
   * value from the batch's results (by the rules of OnlineRowReader; values stay the stored bytes
   * where those are canonical).
   */
  OnlineAnswer answer(Batch batch, List<List<byte[]>> results) {
    int rowCount = batch.size();
    int slots = references.length;
    byte[] statuses = new byte[rowCount * slots];
    byte[][] values = new byte[rowCount * slots][];
    List<Map<String, Value>> echoed = new ArrayList<>(rowCount);
    PackedRowFields packed = new PackedRowFields();
    int cell = 0;
    for (int row = batch.from; row < batch.to; row++) {
      EntityRow entityRow = rows.get(row);
      echoed.add(entityRow.getFieldsMap());
      long asOfNanos = entityRow.hasTimestamp() ? nanos(entityRow.getTimestamp()) : receivedNanos;
      int base = (row - batch.from) * groups.length;
      for (int g = 0; g < groups.length; g++) {
        ReadGroup group = groups[g];
        List<byte[]> stored = results.get(batch.readOf[base + g]);
        if (group.packed) {
          TableSpec table = group.tables[0];
          FeatureSpec[] features = group.features[0];
          packed.read(stored.get(0), table, group.slotOfFeature, features.length);
          Freshness freshness =
              OnlineRowReader.freshness(packed.timestamp, table.maxAgeNanos(), asOfNanos);
          for (int f = 0; f < features.length; f++, cell++) {
            fill(cell, packed.values[f], features[f], freshness, statuses, values);
          }
          continue;
        }
        for (int t = 0; t < group.tables.length; t++) {
          TableSpec table = group.tables[t];
          int offset = group.offsets[t];
          Freshness freshness =
              OnlineRowReader.freshness(stored.get(offset), table.maxAgeNanos(), asOfNanos);
          FeatureSpec[] features = group.features[t];
          for (int f = 0; f < features.length; f++, cell++) {
            fill(cell, stored.get(offset + 1 + f), features[f], freshness, statuses, values);
          }
        }
      }
    }
    return new OnlineAnswer(batch.from, echoed, references, statuses, values);
  }

  /** One feature's status and value, by the rules of OnlineRowReader, whatever the layout. */
  private static void fill(
      int cell,
      byte[] storedValue,
      FeatureSpec feature,
      Freshness freshness,
      byte[] statuses,
      byte[][] values) {
    if (freshness == Freshness.MISSING || storedValue == null) {
      statuses[cell] = FieldStatus.NOT_FOUND_VALUE;
      return;
    }
    byte[] value = StoredValues.canonical(storedValue, feature.valueType());
    if (value == null) {
      statuses[cell] = FieldStatus.NOT_FOUND_VALUE;
    } else if (value == StoredValues.UNSET) {
      statuses[cell] = FieldStatus.NULL_VALUE_VALUE;
    } else if (freshness == Freshness.STALE) {
      statuses[cell] = FieldStatus.OUTSIDE_MAX_AGE_VALUE;
    } else {
      statuses[cell] = FieldStatus.PRESENT_VALUE;
      values[cell] = value;
    }
  }

  /**
   * The requested features' values and the event time of one stored packed row, reused row after
   * row; a row that is absent or does not parse has neither (NOT_FOUND).
   */
  private static final class PackedRowFields implements PackedRows.RowVisitor {
    byte[] timestamp;
    byte[][] values = new byte[0][];
    private TableSpec table;
    private int[] slotOfFeature;
    private int hint;

    void read(byte[] stored, TableSpec table, int[] slotOfFeature, int requested) {
      this.table = table;
      this.slotOfFeature = slotOfFeature;
      this.hint = 0;
      timestamp = null;
      if (values.length < requested) {
        values = new byte[requested][];
      } else {
        Arrays.fill(values, 0, requested, null);
      }
      if (stored != null && !PackedRows.scan(stored, this)) {
        timestamp = null;
      }
    }

    @Override
    public void eventTimestamp(byte[] timestamp) {
      this.timestamp = timestamp;
    }

    @Override
    public void feature(int id, byte[] value) {
      int index = table.featureIndexOf(id, hint);
      if (index < 0) {
        // A feature since removed from the table: not asked for.
        return;
      }
      hint = index + 1;
      int slot = slotOfFeature[index];
      if (slot >= 0) {
        values[slot] = value;
      }
    }
  }

  private static long nanos(Timestamp timestamp) {
    return timestamp.getSeconds() * 1_000_000_000L + timestamp.getNanos();
  }

  /**
   * The requested tables that share one entity key, and the one field list their HMGET reads: per
   * table its {@code _ts:<table>} followed by its requested features.
   */
  private static final class ReadGroup {
    final EntityKeySpec key;
    final TableSpec[] tables;
    final FeatureSpec[][] features;
    final int[] offsets;
    final List<byte[]> fields;

    /** One packed table: a string per row, not fields of the shared hash. */
    final boolean packed;

    /** What each row's key starts with: the RedisKeyV2 prefix, behind the packed prefix. */
    final byte[] keyPrefix;

    /** Packed only: per feature index of the table, its position among the requested, or -1. */
    final int[] slotOfFeature;

    ReadGroup(TableSpec[] tables, FeatureSpec[][] features) {
      this.key = tables[0].entityKey();
      this.tables = tables;
      this.features = features;
      this.offsets = new int[tables.length];
      this.packed = tables[0].layout() == OnlineLayout.PACKED;
      this.keyPrefix = packed ? tables[0].packedKeyPrefix() : key.keyPrefix();
      List<byte[]> all = new ArrayList<>();
      if (packed) {
        slotOfFeature = new int[tables[0].features().size()];
        Arrays.fill(slotOfFeature, -1);
        for (int f = 0; f < features[0].length; f++) {
          slotOfFeature[features[0][f].index()] = f;
        }
      } else {
        slotOfFeature = null;
        for (int t = 0; t < tables.length; t++) {
          offsets[t] = all.size();
          all.add(tables[t].timestampField());
          for (FeatureSpec feature : features[t]) {
            all.add(feature.field());
          }
        }
      }
      // Shared by every HashRead of the request: the store only reads it.
      this.fields = List.copyOf(all);
    }

    /** The first requested table of this group, for an error message about a missing entity. */
    String neededBy() {
      return tables[0].name();
    }
  }

  /**
   * The reads of rows {@code [from, to)}; {@code readOf[(row - from) * groups + group]} is the
   * index of the read answering that row's group.
   */
  static final class Batch {
    final int from;
    final int to;
    final List<StoreRead> reads;
    final int[] readOf;

    Batch(int from, int to, List<StoreRead> reads, int[] readOf) {
      this.from = from;
      this.to = to;
      this.reads = reads;
      this.readOf = readOf;
    }

    int size() {
      return to - from;
    }
  }
}
