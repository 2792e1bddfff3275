package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.sreagent.testkit.aws.Cbor.RpcError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * CloudWatch's {@code GetMetricData} behind an {@link AwsEmulator} ({@link AwsEmulator#cloudWatch()}), over Smithy
 * RPC v2 CBOR as AWS SDK for Java v2's {@code CloudWatchClient} speaks it: {@code POST
 * /service/GraniteServiceVersion20100801/operation/GetMetricData}, {@code Content-Type: application/cbor},
 * answers with {@code smithy-protocol: rpc-v2-cbor}; timestamps as CBOR tag 1 around epoch seconds (the SDK sends
 * the smallest float that holds the value exactly, often a 32-bit one; the emulator reads any number under tag 1,
 * refuses a timestamp without the tag, and answers whole seconds as integers under tag 1).
 *
 * <p><b>Emulated.</b> Datapoints the test {@link #put puts} (one value each, like {@code PutMetricData} with
 * {@code Value}; unit {@code None} unless given). A query's {@code MetricStat} selects one metric by namespace, name
 * and its exact set of dimensions (CloudWatch's rule: each combination of dimensions is a metric of its own), and by
 * {@code Unit} when the query names one. Values with {@code StartTime <= t < EndTime} ({@code StartTime} rounded
 * down to the minute, or to the period when it is under 60 s, as CloudWatch rounds recent start times; {@code
 * EndTime} exclusive) are aggregated into buckets aligned to multiples of the period since the epoch, each bucket
 * stamped with its start; buckets without data are left out, as CloudWatch leaves them out. Statistics:
 * {@code SampleCount}, {@code Average}, {@code Sum}, {@code Minimum}, {@code Maximum} and percentiles {@code pNN}
 * or {@code pNN.NN} (nearest rank over the raw values: exact, where CloudWatch's percentiles are approximate for
 * large samples). {@code ScanBy} ({@code TimestampDescending}, the default, or {@code TimestampAscending}),
 * {@code Label} (default: the metric name), {@code ReturnData} ({@code false} leaves the query out of the answer).
 * Paging: at most {@code MaxDatapoints} (default and ceiling 100,800, AWS's; lower it with
 * {@link #setMaxDatapointsPerCall}) datapoints per answer, counted across queries in request order; an answer that
 * stops early carries a {@code NextToken}, every query appears on every page (its {@code StatusCode}
 * {@code PartialData} while it has datapoints on later pages, else {@code Complete}, with empty lists once
 * delivered). The pages are cut from a snapshot taken at the first call, so datapoints put between pages do not
 * shift them; the token is valid only with the same request (queries, times, {@code ScanBy}) and for the last 1,000
 * snapshots, otherwise {@code InvalidNextToken}.
 *
 * <p><b>Validation</b>, with the status and code CloudWatch answers (the body's {@code __type} names the SDK's
 * exception shape, e.g. {@code com.amazonaws.cloudwatch#InvalidParameterValueException}; with the SDK's
 * {@code x-amzn-query-mode: true} the {@code x-amzn-query-error: CODE;Sender} header carries the AWS Query code the
 * SDK reports as {@code errorCode()}): {@code MetricDataQueries} missing, {@code StartTime} or {@code EndTime}
 * missing, a {@code MetricStat} without namespace, metric name, period or stat: 400 {@code MissingParameter};
 * more than 500 queries, an {@code Id} not matching {@code ^[a-z][a-zA-Z0-9_]*$} or longer than 255 characters,
 * an unknown {@code ScanBy}: 400 {@code ValidationError} (one line per bad value, as CloudWatch lists them);
 * duplicate {@code Id}s, {@code StartTime} not before {@code EndTime}, a period other than 1, 5, 10, 20, 30 or a
 * multiple of 60, an unknown statistic, a dimension without name or value or more than 30 dimensions,
 * {@code MaxDatapoints} below 1: 400 {@code InvalidParameterValue}; both or neither of {@code MetricStat} and
 * {@code Expression}: 400 {@code InvalidParameterCombination}; a bad or foreign {@code NextToken}: 400
 * {@code InvalidNextToken}; a body that is not CBOR, or a timestamp without tag 1: 400
 * {@code SerializationException}; other operations of the service: 400 {@code UnknownOperationException}. The exact
 * messages are the emulator's; only {@code ValidationError}'s follow CloudWatch's wording.
 *
 * <p><b>Not emulated</b> (refused with 400 {@code InvalidParameterValue} saying so, never answered wrongly): metric
 * math ({@code Expression}), cross-account queries ({@code AccountId}), the other extended statistics
 * ({@code tm}, {@code wm}, {@code tc}, {@code ts}, {@code PR}, {@code IQM}). Silently not emulated: retention and
 * the coarser rounding of old start times (every datapoint is kept at full resolution forever), the difference
 * between standard and high-resolution metrics (any period works on any data), {@code LabelOptions},
 * {@code Messages}, statistic sets and value arrays in datapoints, IAM, throttling unless injected
 * ({@link AwsEmulator#failNext}), and every other CloudWatch operation ({@code PutMetricData},
 * {@code ListMetrics}, {@code GetMetricStatistics}, alarms, dashboards...).
 */
public final class CloudWatchEmulation {
  /** The Smithy service name in the RPC v2 path. */
  public static final String SERVICE = "GraniteServiceVersion20100801";
  /** AWS's limit of queries per {@code GetMetricData} call. */
  public static final int MAX_QUERIES = 500;
  /** AWS's default and largest number of datapoints per {@code GetMetricData} answer. */
  public static final int MAX_DATAPOINTS = 100_800;

  private static final String NS = "com.amazonaws.cloudwatch#";
  private static final Pattern ID = Pattern.compile("^[a-z][a-zA-Z0-9_]*$");
  private static final Pattern PERCENTILE = Pattern.compile("^p(\\d{1,2}(\\.\\d{1,10})?|100(\\.0{1,10})?)$");
  private static final Pattern OTHER_EXTENDED = Pattern.compile("^(tm|wm|tc|ts|TM|WM|TC|TS|PR|IQM)(\\(.*\\)|\\d.*)?$");
  private static final Set<String> SIMPLE = Set.of("SampleCount", "Average", "Sum", "Minimum", "Maximum");
  private static final int SNAPSHOTS = 1000;

  /** One {@code GetMetricData} call as the emulator understood it, for assertions. */
  public record MetricDataCall(int queries, @Nullable String nextToken, Instant startTime, Instant endTime,
      String scanBy, int datapointsReturned, boolean hasMore) {}

  private record Series(String namespace, String metricName, Map<String, String> dimensions) {}

  private record Datum(Instant at, double value, String unit) {}

  private record Result(String id, String label, List<Instant> timestamps, List<Double> values) {}

  private record Snapshot(ObjectNode request, List<Result> results, int total) {}

  private final Map<Series, List<Datum>> data = new LinkedHashMap<>();
  private final Map<String, Snapshot> snapshots = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
      return size() > SNAPSHOTS;
    }
  };
  private final List<MetricDataCall> calls = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private int maxDatapointsPerCall = MAX_DATAPOINTS;

  CloudWatchEmulation() {}

  // ---- the test's side ----

  /**
   * Records one datapoint of the metric {@code namespace}/{@code metricName} with exactly {@code dimensions} (unit
   * {@code None}).
   */
  public CloudWatchEmulation put(String namespace, String metricName, Map<String, String> dimensions, Instant at,
      double value) {
    return put(namespace, metricName, dimensions, at, value, "None");
  }

  /** Records one datapoint with a unit (such as {@code Percent}, {@code Seconds}, {@code Count}). */
  public synchronized CloudWatchEmulation put(String namespace, String metricName, Map<String, String> dimensions,
      Instant at, double value, String unit) {
    requireText(namespace, "namespace");
    requireText(metricName, "metricName");
    Objects.requireNonNull(at, "at");
    requireText(unit, "unit");
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("value must be finite (CloudWatch rejects NaN and infinities), but was "
          + value);
    }
    if (dimensions.size() > 30) {
      throw new IllegalArgumentException("a metric has at most 30 dimensions, but " + metricName + " had "
          + dimensions.size());
    }
    dimensions.forEach((k, v) -> {
      requireText(k, "dimension name");
      requireText(v, "value of dimension " + k);
    });
    data.computeIfAbsent(new Series(namespace, metricName, Map.copyOf(dimensions)), k -> new ArrayList<>())
        .add(new Datum(at, value, unit));
    return this;
  }

  /**
   * At most {@code max} datapoints per answer (default and ceiling {@value #MAX_DATAPOINTS}), even when the request
   * allows more: small pages exercise a client's {@code NextToken} loop.
   */
  public synchronized CloudWatchEmulation setMaxDatapointsPerCall(int max) {
    if (max < 1 || max > MAX_DATAPOINTS) {
      throw new IllegalArgumentException("max must be between 1 and " + MAX_DATAPOINTS + ", but was " + max);
    }
    this.maxDatapointsPerCall = max;
    return this;
  }

  /** The number of datapoints put so far. */
  public synchronized int datapoints() {
    return data.values().stream().mapToInt(List::size).sum();
  }

  /** Forgets every datapoint (and every {@code NextToken}). */
  public synchronized CloudWatchEmulation clear() {
    data.clear();
    snapshots.clear();
    return this;
  }

  /** Every {@code GetMetricData} call answered with 200, oldest first. */
  public synchronized List<MetricDataCall> metricDataCalls() {
    return List.copyOf(calls);
  }

  // ---- the wire ----

  synchronized AwsEmulator.Response handle(AwsEmulator.Request r) {
    boolean queryMode = "true".equalsIgnoreCase(header(r.headers(), "x-amzn-query-mode"));
    try {
      String contentType = header(r.headers(), "content-type");
      if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/cbor")) {
        throw new RpcError(400, "SerializationException", null, "Content-Type must be application/cbor, but was "
            + contentType);
      }
      if (!"rpc-v2-cbor".equals(header(r.headers(), "smithy-protocol"))) {
        throw new RpcError(400, "SerializationException", null, "the smithy-protocol header must be rpc-v2-cbor,"
            + " but was " + header(r.headers(), "smithy-protocol"));
      }
      if (!r.operation().equals("GetMetricData")) {
        throw new RpcError(400, "UnknownOperationException", null, "the emulator does not serve CloudWatch's "
            + r.operation());
      }
      return Cbor.ok(getMetricData(Cbor.parse(r.body(), Set.of("StartTime", "EndTime"))));
    } catch (RpcError e) {
      return Cbor.error(e, queryMode);
    }
  }

  private byte[] getMetricData(ObjectNode in) {
    JsonNode queries = in.path("MetricDataQueries");
    if (!queries.isArray() || queries.isEmpty()) {
      throw missing("MetricDataQueries");
    }
    if (queries.size() > MAX_QUERIES) {
      throw validation("1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint:"
          + " Member must have length less than or equal to " + MAX_QUERIES + " (it had " + queries.size() + ")");
    }
    Instant start = timestamp(in, "StartTime");
    Instant end = timestamp(in, "EndTime");
    if (!start.isBefore(end)) {
      throw invalid("The parameter StartTime must be less than the parameter EndTime.");
    }
    String scanBy = in.path("ScanBy").asText("TimestampDescending");
    if (!scanBy.equals("TimestampDescending") && !scanBy.equals("TimestampAscending")) {
      throw validation("1 validation error detected: Value '" + scanBy + "' at 'scanBy' failed to satisfy"
          + " constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]");
    }
    int pageSize = maxDatapointsPerCall;
    if (in.has("MaxDatapoints")) {
      int max = in.get("MaxDatapoints").asInt();
      if (max < 1) {
        throw invalid("The parameter MaxDatapoints must be greater than 0, but was " + max + ".");
      }
      pageSize = Math.min(pageSize, max);
    }
    validateIds(queries);
    ObjectNode fingerprint = in.deepCopy();
    fingerprint.remove("NextToken");
    fingerprint.remove("MaxDatapoints");

    Snapshot snap;
    int offset;
    String token = in.hasNonNull("NextToken") ? in.get("NextToken").asText() : null;
    if (token != null) {
      String[] t = decodeToken(token);
      snap = snapshots.get(t[0]);
      if (snap == null || !snap.request().equals(fingerprint)) {
        throw new RpcError(400, NS + "InvalidNextToken", "InvalidNextToken", "The service returned an invalid"
            + " NextToken: it is unknown, expired or belongs to another request.");
      }
      offset = Integer.parseInt(t[1]);
    } else {
      List<Result> results = new ArrayList<>();
      for (int i = 0; i < queries.size(); i++) {
        Result res = evaluate(queries.get(i), i + 1, start, end, scanBy.equals("TimestampAscending"));
        if (queries.get(i).path("ReturnData").asBoolean(true)) {
          results.add(res);
        }
      }
      snap = new Snapshot(fingerprint, results, results.stream().mapToInt(x -> x.timestamps().size()).sum());
      offset = 0;
    }
    int pageEnd = (int) Math.min((long) offset + pageSize, snap.total());
    String next = null;
    if (pageEnd < snap.total()) {
      String id = token != null ? decodeToken(token)[0] : newSnapshotId();
      snapshots.put(id, snap);
      next = encodeToken(id, pageEnd);
    }
    calls.add(new MetricDataCall(queries.size(), token, start, end, scanBy, pageEnd - offset, next != null));
    return page(snap, offset, pageEnd, next);
  }

  private static void validateIds(JsonNode queries) {
    List<String> bad = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String duplicate = null;
    for (int i = 0; i < queries.size(); i++) {
      JsonNode id = queries.get(i).get("Id");
      if (id == null || id.isNull()) {
        throw missing("MetricDataQueries.member." + (i + 1) + ".Id");
      }
      String s = id.asText();
      if (s.length() > 255) {
        bad.add("The value " + s + " for parameter MetricDataQueries.member." + (i + 1) + ".Id is longer than 255"
            + " characters.");
      } else if (!ID.matcher(s).matches()) {
        bad.add("The value " + s + " for parameter MetricDataQueries.member." + (i + 1) + ".Id is not matching the"
            + " expected pattern ^[a-z][a-zA-Z0-9_]*$.");
      }
      if (!seen.add(s) && duplicate == null) {
        duplicate = "The value " + s + " for parameter MetricDataQueries.member." + (i + 1) + ".Id is not unique"
            + " in this request.";
      }
    }
    if (!bad.isEmpty()) {
      throw validation(String.join("\n", bad));
    }
    if (duplicate != null) {
      throw invalid(duplicate);
    }
  }

  private Result evaluate(JsonNode q, int n, Instant start, Instant end, boolean ascending) {
    String at = "MetricDataQueries.member." + n;
    String id = q.get("Id").asText();
    boolean hasStat = q.hasNonNull("MetricStat");
    boolean hasExpr = q.hasNonNull("Expression");
    if (hasStat == hasExpr) {
      throw new RpcError(400, NS + "InvalidParameterCombinationException", "InvalidParameterCombination",
          "Exactly one of MetricStat and Expression must be set in " + at + ", but " + (hasStat ? "both were"
              : "neither was") + ".");
    }
    if (hasExpr) {
      throw invalid("The emulator does not evaluate metric math: " + at + ".Expression ("
          + q.get("Expression").asText() + ") is not emulated; query MetricStats and combine them yourself.");
    }
    if (q.hasNonNull("AccountId")) {
      throw invalid("The emulator does not serve cross-account queries (" + at + ".AccountId).");
    }
    JsonNode stat = q.get("MetricStat");
    JsonNode metric = stat.path("Metric");
    String namespace = text(metric, "Namespace", at + ".MetricStat.Metric.Namespace");
    String name = text(metric, "MetricName", at + ".MetricStat.Metric.MetricName");
    Map<String, String> dims = new TreeMap<>();
    JsonNode dimensions = metric.path("Dimensions");
    if (dimensions.size() > 30) {
      throw invalid("The collection " + at + ".MetricStat.Metric.Dimensions must not have more than 30 members.");
    }
    for (int d = 0; d < dimensions.size(); d++) {
      JsonNode dim = dimensions.get(d);
      String where = at + ".MetricStat.Metric.Dimensions.member." + (d + 1);
      if (!dim.hasNonNull("Name") || dim.get("Name").asText().isEmpty() || !dim.hasNonNull("Value")
          || dim.get("Value").asText().isEmpty()) {
        throw invalid("The dimension " + where + " must have a Name and a Value.");
      }
      dims.put(dim.get("Name").asText(), dim.get("Value").asText());
    }
    if (!stat.hasNonNull("Period")) {
      throw missing(at + ".MetricStat.Period");
    }
    int period = stat.get("Period").asInt();
    if (period < 1 || (period >= 60 ? period % 60 != 0 : !Set.of(1, 5, 10, 20, 30).contains(period))) {
      throw invalid("The parameter " + at + ".MetricStat.Period must be 1, 5, 10, 20, 30, 60, or any multiple of"
          + " 60, but was " + period + ".");
    }
    String statistic = text(stat, "Stat", at + ".MetricStat.Stat");
    if (!SIMPLE.contains(statistic) && !PERCENTILE.matcher(statistic).matches()) {
      if (OTHER_EXTENDED.matcher(statistic).matches()) {
        throw invalid("The emulator computes SampleCount, Average, Sum, Minimum, Maximum and pNN percentiles;"
            + " the extended statistic " + statistic + " in " + at + ".MetricStat.Stat is not emulated.");
      }
      throw invalid("The value " + statistic + " for parameter " + at + ".MetricStat.Stat is not a valid"
          + " statistic.");
    }
    String unit = stat.hasNonNull("Unit") ? stat.get("Unit").asText() : null;
    String label = q.hasNonNull("Label") ? q.get("Label").asText() : name;

    long startSec = start.getEpochSecond();
    long rounded = startSec - Math.floorMod(startSec, period < 60 ? period : 60);
    TreeMap<Long, List<Double>> buckets = new TreeMap<>();
    for (Datum d : data.getOrDefault(new Series(namespace, name, Map.copyOf(dims)), List.of())) {
      long t = d.at().getEpochSecond();
      if (t < rounded || !d.at().isBefore(end) || (unit != null && !unit.equals(d.unit()))) {
        continue;
      }
      buckets.computeIfAbsent(t - Math.floorMod(t, period), k -> new ArrayList<>()).add(d.value());
    }
    List<Instant> ts = new ArrayList<>();
    List<Double> vs = new ArrayList<>();
    for (Map.Entry<Long, List<Double>> b : (ascending ? buckets : buckets.descendingMap()).entrySet()) {
      ts.add(Instant.ofEpochSecond(b.getKey()));
      vs.add(aggregate(statistic, b.getValue()));
    }
    return new Result(id, label, ts, vs);
  }

  static double aggregate(String statistic, List<Double> values) {
    switch (statistic) {
      case "SampleCount":
        return values.size();
      case "Sum":
        return values.stream().mapToDouble(Double::doubleValue).sum();
      case "Average":
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      case "Minimum":
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      case "Maximum":
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      default:
        double p = Double.parseDouble(statistic.substring(1));
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.size() / 100);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
  }

  private static byte[] page(Snapshot snap, int from, int to, @Nullable String next) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = Cbor.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("MetricDataResults");
      g.writeStartArray();
      int seen = 0;
      for (Result r : snap.results()) {
        int size = r.timestamps().size();
        int lo = Math.max(0, Math.min(size, from - seen));
        int hi = Math.max(0, Math.min(size, to - seen));
        seen += size;
        g.writeStartObject();
        g.writeStringField("Id", r.id());
        g.writeStringField("Label", r.label());
        g.writeFieldName("Timestamps");
        g.writeStartArray();
        for (Instant t : r.timestamps().subList(lo, hi)) {
          g.writeTag(Cbor.EPOCH_TAG);
          if (t.getNano() == 0) {
            g.writeNumber(t.getEpochSecond());
          } else {
            g.writeNumber(BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9))
                .doubleValue());
          }
        }
        g.writeEndArray();
        g.writeFieldName("Values");
        g.writeStartArray();
        for (double v : r.values().subList(lo, hi)) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeStringField("StatusCode", hi < size ? "PartialData" : "Complete");
        g.writeEndObject();
      }
      g.writeEndArray();
      if (next != null) {
        g.writeStringField("NextToken", next);
      }
      g.writeFieldName("Messages");
      g.writeStartArray();
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static Instant timestamp(JsonNode in, String member) {
    JsonNode n = in.get(member);
    if (n == null || n.isNull()) {
      throw missing(member);
    }
    BigDecimal seconds = n.decimalValue().setScale(3, RoundingMode.FLOOR);
    long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
    int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
    return Instant.ofEpochSecond(whole, nanos);
  }

  private String newSnapshotId() {
    byte[] b = new byte[12];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String encodeToken(String snapshot, int offset) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((snapshot + ":" + offset)
        .getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decodeToken(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("^([0-9a-f]{24}):(\\d{1,9})$").matcher(s);
      if (m.matches()) {
        return new String[] {m.group(1), m.group(2)};
      }
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new RpcError(400, NS + "InvalidNextToken", "InvalidNextToken", "The service returned an invalid"
        + " NextToken: " + token);
  }

  private static String text(JsonNode n, String field, String path) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.asText().isEmpty()) {
      throw missing(path);
    }
    return v.asText();
  }

  private static RpcError missing(String parameter) {
    return new RpcError(400, NS + "MissingRequiredParameterException", "MissingParameter", "The parameter "
        + parameter + " is required.");
  }

  private static RpcError invalid(String message) {
    return new RpcError(400, NS + "InvalidParameterValueException", "InvalidParameterValue", message);
  }

  private static RpcError validation(String message) {
    return new RpcError(400, "ValidationError", "ValidationError", message);
  }

  private static @Nullable String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static void requireText(@Nullable String s, String field) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty, but was " + (s == null ? "null" : "''"));
    }
  }
}
