package dev.sreagent.otel;

import java.util.Map;
import java.util.TreeMap;

/** What one request dropped, by reason (points, spans or log records). Not thread-safe: one per request. */
final class Rejections {
  /** The value is NaN or infinite. */
  static final String NON_FINITE = "non-finite";
  /** The point carries no timestamp. */
  static final String MISSING_TIME = "missing-time";
  /** The timestamp is older than the accepted age. */
  static final String TOO_OLD = "too-old";
  /** The timestamp lies further in the future than the accepted clock skew. */
  static final String IN_FUTURE = "in-future";
  /** A monotonic counter or a histogram count is negative. */
  static final String NEGATIVE_COUNTER = "negative-counter";
  /** Histogram buckets and bounds do not fit together, or the scale is out of range. */
  static final String BAD_HISTOGRAM = "bad-histogram";
  /** A span without ids, or that ends before it starts. */
  static final String BAD_SPAN = "bad-span";
  /** A metric without a name. */
  static final String BAD_NAME = "bad-name";
  /** A client duration histogram point that names no callee ({@code peer.service} or {@code server.address}). */
  static final String NO_PEER = "no-peer";
  /** The series is new and its tenant or service is at its cardinality limit. */
  static final String CARDINALITY = "cardinality";

  private final Map<String, Integer> byReason = new TreeMap<>();
  private int total;

  void add(String reason) {
    byReason.merge(reason, 1, Integer::sum);
    total++;
  }

  int total() {
    return total;
  }

  Map<String, Integer> byReason() {
    return byReason;
  }

  /** A short message for the OTLP partial-success answer, e.g. {@code "3 dropped: too-old 2, non-finite 1"}. */
  String message() {
    StringBuilder b = new StringBuilder().append(total).append(" dropped:");
    String sep = " ";
    for (Map.Entry<String, Integer> e : byReason.entrySet()) {
      b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
      sep = ", ";
    }
    return b.toString();
  }
}
