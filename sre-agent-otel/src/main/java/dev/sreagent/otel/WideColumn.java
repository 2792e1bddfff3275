package dev.sreagent.otel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A column of a wide CSV recording: {@code <service>.<metric>}, split on the last dot, or a call edge's
 * {@code <caller>-><callee>.<metric>} (a client-side metric of the caller, {@code peer} naming the callee).
 *
 * @param name the column as the header names it
 * @param service the service (the caller of an edge)
 * @param metric the metric name
 * @param peer the callee of an edge column, or null
 */
record WideColumn(String name, String service, String metric, @Nullable String peer) {
  private static final String ARROW = "->";

  /**
   * The header's columns after the timestamp (each already {@code <something>.<metric>}).
   *
   * @throws IOException naming {@code where}, the column and the fix when an edge column is malformed, a name is
   *     quoted, or two columns name one series (as {@code a->b.lat} and {@code a -> b.lat})
   */
  static List<WideColumn> of(List<String> header, String where) throws IOException {
    List<WideColumn> columns = new ArrayList<>(header.size() - 1);
    java.util.Map<List<String>, Integer> seen = new java.util.HashMap<>();
    for (int k = 1; k < header.size(); k++) {
      String name = header.get(k);
      if (name.indexOf('"') >= 0) { // a spreadsheet's quoted name would keep its quotes in the service and metric
        throw new IOException(where + ": column " + (k + 1) + " " + name + " is quoted; a recording's header is read"
            + " as written: write it without quotes (and without commas)");
      }
      WideColumn column = column(name, k, where);
      Integer before = seen.putIfAbsent(List.of(column.service(), column.metric(), String.valueOf(column.peer())), k);
      if (before != null) { // two series of one name would arrive as one, interleaved
        throw new IOException(where + ": column " + (k + 1) + " '" + name + "' names the series of column "
            + (before + 1) + " '" + header.get(before) + "' again; give each series once");
      }
      columns.add(column);
    }
    return List.copyOf(columns);
  }

  private static WideColumn column(String name, int k, String where) throws IOException {
    int dot = name.lastIndexOf('.');
    String service = name.substring(0, dot).strip();
    String metric = name.substring(dot + 1).strip();
    if (!service.contains(ARROW)) {
      return new WideColumn(name, service, metric, null);
    }
    String[] ends = service.split(ARROW, -1);
    String problem = ends.length != 2 ? "names " + (ends.length - 1) + " arrows"
        : ends[0].isBlank() ? "names no caller" : ends[1].isBlank() ? "names no callee"
        : ends[0].strip().equals(ends[1].strip()) ? "names the same service on both ends" : null;
    if (problem != null) {
      throw new IOException(where + ": column " + (k + 1) + " '" + name + "' " + problem + "; a call edge's column"
          + " is <caller>-><callee>.<metric> with two different services: rename or remove it");
    }
    return new WideColumn(name, ends[0].strip(), metric, ends[1].strip());
  }
}
