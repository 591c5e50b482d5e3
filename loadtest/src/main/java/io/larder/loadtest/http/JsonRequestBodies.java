package io.larder.loadtest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.larder.loadtest.shape.EntityIds;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies of one shape, byte for byte what {@link OnlineRequests#nextJson()} prints, without
 * running the protobuf JSON printer per request (it would cost the driver more CPU than it spends
 * on the rest of a call, on cores it shares with the gateway). The JSON of a one-row request is
 * split around its entity row once; each request joins the two parts around fresh rows.
 */
final class JsonRequestBodies {

  // The printer OnlineRequests uses, for the one entity row.
  private static final JsonFormat.Printer ROW_PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  // Any id whose JSON occurs once in the body: the split point.
  private static final long MARKER = 987_654_321_987L;

  private final OnlineRequests requests;
  private final long entities;
  private final String head;
  private final String rowHead;
  private final String rowTail;
  private final String tail;

  JsonRequestBodies(OnlineRequests requests, long entities) {
    this.requests = requests;
    this.entities = entities;
    GetOnlineFeaturesRequestV2 one = requests.forIds(new long[] {MARKER});
    String body = OnlineRequests.toJson(one);
    String row;
    try {
      row = ROW_PRINTER.print(one.getEntityRows(0));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    String id = "\"" + MARKER + "\"";
    int rowAt = body.indexOf(row);
    int idAt = row.indexOf(id);
    if (rowAt < 0 || body.indexOf(row, rowAt + 1) >= 0 || idAt < 0) {
      throw new IllegalStateException("cannot find the entity row " + row + " in " + body);
    }
    this.head = body.substring(0, rowAt);
    this.tail = body.substring(rowAt + row.length());
    this.rowHead = row.substring(0, idAt + 1);
    this.rowTail = row.substring(idAt + id.length() - 1);
  }

  byte[] next() {
    return forIds(EntityIds.distinct(requests.rows(), entities));
  }

  byte[] forIds(long[] ids) {
    StringBuilder json =
        new StringBuilder(head.length() + tail.length() + ids.length * (rowHead.length() + 24));
    json.append(head);
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(rowHead).append(ids[i]).append(rowTail);
    }
    return json.append(tail).toString().getBytes(StandardCharsets.UTF_8);
  }
}
