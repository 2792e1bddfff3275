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
   * @throws IOException naming {@code where}, the column and the fix when an edge column is malformed
   */
  static List<WideColumn> of(List<String> header, String where) throws IOException {
    List<WideColumn> columns = new ArrayList<>(header.size() - 1);
    for (int k = 1; k < header.size(); k++) {
      String name = header.get(k);
      int dot = name.lastIndexOf('.');
      String service = name.substring(0, dot);
      String metric = name.substring(dot + 1);
      if (!service.contains(ARROW)) {
        columns.add(new WideColumn(name, service, metric, null));
        continue;
      }
      String[] ends = service.split(ARROW, -1);
      String problem = ends.length != 2 ? "names " + (ends.length - 1) + " arrows"
          : ends[0].isBlank() ? "names no caller" : ends[1].isBlank() ? "names no callee"
          : ends[0].strip().equals(ends[1].strip()) ? "names the same service on both ends" : null;
      if (problem != null) {
        throw new IOException(where + ": column " + (k + 1) + " '" + name + "' " + problem + "; a call edge's column"
            + " is <caller>-><callee>.<metric> with two different services: rename or remove it");
      }
      columns.add(new WideColumn(name, ends[0].strip(), metric, ends[1].strip()));
    }
    return List.copyOf(columns);
  }
}
