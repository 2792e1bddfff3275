package dev.sreagent.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded telemetry stream read as the requests the {@link OtlpHttpReceiver} would have received, ordered by time,
 * so that a recording can be fed to an agent on its own clock ({@code ./sre-agent run --replay}, {@code bench replay}).
 * Four forms, told apart by the first line:
 * <ul>
 *   <li><b>OTLP/JSON lines</b>, as the OpenTelemetry Collector's {@code file} exporter writes them: one
 *       {@code {"resourceMetrics": ...}}, {@code {"resourceSpans": ...}} or {@code {"resourceLogs": ...}} request per
 *       line, timed by the largest {@code timeUnixNano} (or start or observed time) it carries;
 *   <li><b>Alertmanager webhook payloads</b>, one {@code {"alerts": [...]}} notification per line (among OTLP lines or
 *       alone), timed by the latest {@code startsAt} of a firing or {@code endsAt} of a resolved alert;
 *   <li><b>long CSV</b> with the header {@code timestamp,service,metric,value[,attribute...]} (ISO-8601 or epoch
 *       seconds, milliseconds, microseconds or nanoseconds; the further columns become the point's attributes, blank
 *       cells skipped);
 *   <li><b>wide CSV</b> with the header {@code timestamp,<service>.<metric>,...} (split on the last dot; the layout of
 *       the Nezha and PetShop datasets): one request per row and service, the service's only pod named after it
 *       ({@code k8s.pod.name}), blank cells skipped. A column {@code <caller>-><callee>.<metric>} (a call edge's
 *       client-side metric, as Online Boutique's {@code checkoutservice->cartservice.latency_src50}) arrives as the
 *       caller's point with the attribute {@code peer.service} = callee and no pod, in one request per row and
 *       caller (as {@code bench rca} feeds it: map it with {@code metrics.map.latency_src50 = client-latency-p50}); an
 *       edge column without a caller or a callee, with two arrows, or from a service to itself is refused.
 * </ul>
 * A cell {@code nan}, {@code inf} or {@code -inf} (any case) is read as that value, which the receiver refuses as it
 * refuses any non-finite point; the row's other cells arrive. Metric names arrive as recorded: map them onto the
 * detectors' signals with {@code MetricMapping}. Every unreadable line is an {@link IOException} naming the file and
 * line.
 *
 * <p>{@link #open(Path)} reads a recording lazily, in bounded memory, restoring time order within a reorder buffer
 * (see {@link RecordingStream}: items further out of order are delivered late, counted, never dropped);
 * {@link #read(Path)} holds the whole recording, fully sorted.
 */
public final class OtlpRecording {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request of the recording.
   *
   * @param timeNanos when it was sent (the latest sample time it carries), Unix nanoseconds
   * @param endpoint the receiver endpoint it goes to
   * @param body the OTLP/JSON request (or Alertmanager payload)
   */
  public record Item(long timeNanos, Endpoint endpoint, JsonNode body) {
    /** The body as UTF-8 JSON bytes, as {@link OtlpHttpReceiver#receive} takes it. */
    public byte[] bytes() {
      return body.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  private OtlpRecording() {}

  /**
   * Reads the whole recording, ordered by time (stable for equal times): {@link #open(Path, int, Duration)} with no
   * bound, so the whole recording is held in memory; for a large one use {@link #open(Path)}.
   *
   * @throws IOException when the file cannot be read or a line is not in the form of the first (naming the line)
   */
  public static List<Item> read(Path input) throws IOException {
    List<Item> items = new ArrayList<>();
    try (RecordingStream stream = open(input, Integer.MAX_VALUE, Duration.ofNanos(Long.MAX_VALUE))) {
      for (Item item = stream.next(); item != null; item = stream.next()) {
        items.add(item);
      }
    }
    return items;
  }

  /**
   * Opens the recording to read it lazily, in time order within the default reorder buffer
   * ({@link RecordingStream#DEFAULT_CAPACITY} items, {@link RecordingStream#DEFAULT_HORIZON} of recorded time).
   *
   * @throws IOException when the file cannot be opened or its first line (the form, a CSV header) is unreadable
   */
  public static RecordingStream open(Path input) throws IOException {
    return open(input, RecordingStream.DEFAULT_CAPACITY, RecordingStream.DEFAULT_HORIZON);
  }

  /**
   * Opens the recording to read it lazily, in time order within a reorder buffer of at most {@code capacity} items
   * spanning at most {@code horizon} of recorded time (see {@link RecordingStream}).
   *
   * @throws IllegalArgumentException when the capacity is below 1 or the horizon negative
   * @throws IOException when the file cannot be opened or its first line (the form, a CSV header) is unreadable
   */
  public static RecordingStream open(Path input, int capacity, Duration horizon) throws IOException {
    RecordingLines lines = RecordingLines.open(input);
    try {
      return new RecordingStream(lines, capacity, horizon);
    } catch (RuntimeException e) {
      lines.close();
      throw e;
    }
  }

  static Item jsonLine(String line, String where) throws IOException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IOException(where + ": not a JSON line: " + e.getMessage(), e);
    }
    if (node.has("alerts")) {
      long max = 0;
      for (JsonNode a : node.path("alerts")) {
        boolean resolved = "resolved".equals(a.path("status").asText(""));
        String text = a.path(resolved ? "endsAt" : "startsAt").asText("");
        if (!text.isEmpty()) {
          max = Math.max(max, timestamp(text, where));
        }
      }
      if (max == 0) {
        throw new IOException(where + ": an Alertmanager notification whose alerts carry no startsAt (firing) or"
            + " endsAt (resolved) to pace the replay by");
      }
      return new Item(max, Endpoint.ALERTMANAGER, node);
    }
    Endpoint endpoint = node.has("resourceMetrics") ? Endpoint.METRICS : node.has("resourceSpans") ? Endpoint.TRACES
        : node.has("resourceLogs") ? Endpoint.LOGS : null;
    if (endpoint == null) {
      throw new IOException(where + ": expected an OTLP/JSON request with resourceMetrics, resourceSpans or"
          + " resourceLogs, or an Alertmanager notification with alerts");
    }
    long max = 0;
    for (String key : List.of("timeUnixNano", "startTimeUnixNano", "observedTimeUnixNano")) {
      for (JsonNode t : node.findValues(key)) {
        max = Math.max(max, t.asLong());
      }
    }
    if (max == 0) {
      throw new IOException(where + ": the request carries no timeUnixNano to pace the replay by");
    }
    return new Item(max, endpoint, node);
  }

  /** A wide CSV's column: {@code <service>.<metric>}, split on the last dot, neither side empty. */
  static boolean wideColumn(String column) {
    int dot = column.lastIndexOf('.');
    return dot > 0 && dot < column.length() - 1;
  }

  static Item longLine(List<String> header, String line, String where) throws IOException {
    String[] cells = line.split(",", -1);
    if (cells.length != header.size()) {
      throw new IOException(where + ": expected " + header.size() + " columns, got " + cells.length);
    }
    for (int k = 1; k <= 2; k++) {
      if (cells[k].isBlank()) {
        throw new IOException(where + ": the " + header.get(k) + " is empty; every row names its service and"
            + " metric");
      }
    }
    for (String cell : cells) {
      if (cell.indexOf('"') >= 0) { // a quoted name would keep its quotes
        throw new IOException(where + ": the cell '" + cell.strip() + "' is quoted; a recording's cells are read"
            + " as written: write it without quotes (and without commas)");
      }
    }
    long nanos = timestamp(cells[0].strip(), where);
    ObjectNode root = JSON.createObjectNode();
    var resource = root.putArray("resourceMetrics").addObject();
    resource.putObject("resource").putArray("attributes").add(attribute("service.name", cells[1].strip()));
    var point = gauge(resource, cells[2].strip(), number(cells[3], where), nanos);
    var attrs = point.putArray("attributes");
    for (int i = 4; i < header.size(); i++) {
      if (!cells[i].isBlank()) {
        attrs.add(attribute(header.get(i).strip(), cells[i].strip()));
      }
    }
    return new Item(nanos, Endpoint.METRICS, root);
  }

  static List<Item> wideLine(List<WideColumn> columns, String line, String where) throws IOException {
    String[] cells = line.split(",", -1);
    if (cells.length != columns.size() + 1) {
      throw new IOException(where + ": expected " + (columns.size() + 1) + " columns, got " + cells.length);
    }
    long nanos = timestamp(cells[0].strip(), where);
    // one request per service, and one per caller for its call edges (no pod: an edge is the service's, as bench rca
    // feeds it)
    java.util.Map<String, ObjectNode> byResource = new java.util.LinkedHashMap<>();
    for (int i = 1; i < cells.length; i++) {
      if (cells[i].isBlank()) {
        continue;
      }
      WideColumn column = columns.get(i - 1);
      double value = number(cells[i], where + " (column " + column.name() + ")");
      ObjectNode root = byResource.computeIfAbsent((column.peer() == null ? "" : "->") + column.service(), k -> {
        ObjectNode r = JSON.createObjectNode();
        var attrs = r.putArray("resourceMetrics").addObject().putObject("resource").putArray("attributes");
        attrs.add(attribute("service.name", column.service()));
        if (column.peer() == null) {
          attrs.add(attribute("k8s.pod.name", column.service()));
        }
        return r;
      });
      ObjectNode point = gauge((ObjectNode) root.path("resourceMetrics").get(0), column.metric(), value, nanos);
      if (column.peer() != null) {
        point.putArray("attributes").add(attribute("peer.service", column.peer()));
      }
    }
    List<Item> items = new ArrayList<>();
    byResource.values().forEach(root -> items.add(new Item(nanos, Endpoint.METRICS, root)));
    return items;
  }

  /** Adds a gauge metric with one point to the resource's (first) scope and returns the point. */
  private static ObjectNode gauge(ObjectNode resource, String name, double value, long nanos) {
    JsonNode scopes = resource.get("scopeMetrics");
    var metrics = scopes == null ? resource.putArray("scopeMetrics").addObject().putArray("metrics")
        : (com.fasterxml.jackson.databind.node.ArrayNode) scopes.get(0).get("metrics");
    ObjectNode point = metrics.addObject().put("name", name).putObject("gauge").putArray("dataPoints").addObject();
    point.put("asDouble", value);
    point.put("timeUnixNano", Long.toString(nanos));
    return point;
  }

  private static double number(String cell, String where) throws IOException {
    switch (cell.strip().toLowerCase(java.util.Locale.ROOT)) { // as Python, R and spreadsheets write them
      case "nan" -> {
        return Double.NaN;
      }
      case "inf", "+inf", "infinity", "+infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf", "-infinity" -> {
        return Double.NEGATIVE_INFINITY;
      }
      default -> { }
    }
    try {
      return Double.parseDouble(cell.strip());
    } catch (NumberFormatException e) {
      throw new IOException(where + ": value '" + cell + "' is not a number");
    }
  }

  private static JsonNode attribute(String key, String value) {
    ObjectNode kv = JSON.createObjectNode();
    kv.put("key", key);
    kv.putObject("value").put("stringValue", value);
    return kv;
  }

  /**
   * A timestamp as Unix nanoseconds: epoch seconds, milliseconds, microseconds or nanoseconds (told apart by size),
   * exactly (no rounding through a double), or ISO-8601 with or without
   * an offset (UTC when none).
   *
   * @throws IOException naming {@code where} when it cannot be read
   */
  public static long timestamp(String text, String where) throws IOException {
    try {
      if (text.matches("\\d+(\\.\\d+)?")) {
        // seconds, milliseconds, microseconds or nanoseconds, told apart by size (up to the year 33658 each)
        java.math.BigDecimal v = new java.math.BigDecimal(text);
        int scale = v.compareTo(java.math.BigDecimal.valueOf(1e18)) > 0 ? 0
            : v.compareTo(java.math.BigDecimal.valueOf(1e15)) > 0 ? 3
            : v.compareTo(java.math.BigDecimal.valueOf(1e12)) > 0 ? 6 : 9;
        return v.movePointRight(scale).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
      }
      String iso = text.replace(' ', 'T');
      java.time.temporal.TemporalAccessor parsed = java.time.format.DateTimeFormatter.ISO_DATE_TIME.parseBest(iso,
          java.time.OffsetDateTime::from, java.time.LocalDateTime::from);
      Instant t = parsed instanceof java.time.OffsetDateTime o ? o.toInstant()
          : ((java.time.LocalDateTime) parsed).toInstant(java.time.ZoneOffset.UTC);
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IOException(where + ": unreadable timestamp '" + text + "' (ISO-8601 or epoch seconds, ms, us or ns)");
    }
  }

  /** A copy of the request with every {@code ...UnixNano} timestamp moved by {@code shift} nanoseconds. */
  public static JsonNode shifted(JsonNode body, long shift) {
    JsonNode copy = body.deepCopy();
    shift(copy, shift);
    return copy;
  }

  private static void shift(JsonNode node, long shift) {
    if (node instanceof ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.properties().forEach(e -> keys.add(e.getKey()));
      for (String k : keys) {
        JsonNode v = o.get(k);
        if (k.endsWith("UnixNano") && v.asLong() != 0) {
          o.put(k, Long.toString(v.asLong() + shift));
        } else {
          shift(v, shift);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> shift(n, shift));
    }
  }
}
