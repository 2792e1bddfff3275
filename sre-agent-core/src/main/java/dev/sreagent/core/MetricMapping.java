package dev.sreagent.core;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

/**
 * Puts metrics whose names and units are not the ones the built-in detectors read onto those: each rule maps one
 * source metric name to a signal kind, with a linear change of unit ({@code value = scale × x + offset}). Recorded
 * data and exporters outside the OpenTelemetry conventions need it: Nezha's {@code PodServerLatencyP99(s)} is p99
 * latency in seconds, {@code PodSuccessRate(%)} is {@code 1 − x/100} as an error ratio, PetShop's
 * {@code availability_Average} likewise, {@code MemoryUsageRate(%)} is memory utilisation {@code x/100}.
 *
 * <p>As configuration ({@code ./sre-agent run --config FILE}, or any key-value source), one key per metric:
 * <pre>
 * metrics.map.PodServerLatencyP99(s) = latency-p99
 * metrics.map.PodSuccessRate(%)      = error-ratio * -0.01 + 1
 * metrics.map.MemoryUsageRate(%)     = memory-utilization * 0.01
 * metrics.map.requests_Sum           = request-rate * 0.0033333     # a 5-minute sum, per second
 * metrics.map.latency_ms             = latency-p99 * 0.001          # milliseconds to seconds
 * </pre>
 * The name after {@code metrics.map.} is the metric's name exactly as it arrives (any characters but {@code =});
 * the value is a {@linkplain Kind kind} (or the built-in metric name it stands for), then optionally {@code * SCALE}
 * and {@code + OFFSET} (or {@code - OFFSET}), spaces around the operators optional. Every bad rule is reported
 * naming its key and the fix. Samples of other names, spans, logs, changes and alerts pass unchanged; a sample's
 * attributes (its service, pod) are kept.
 */
public final class MetricMapping {
  /** The configuration keys' prefix. */
  public static final String KEY_PREFIX = "metrics.map.";

  /** The signal kinds a metric can be mapped to: the metrics the built-in detectors read, with their units. */
  public enum Kind {
    /** p99 server latency, seconds, per service. */
    LATENCY_P99("latency-p99", MetricNames.LATENCY_P99, "seconds"),
    /** Failed fraction of server requests, 0 to 1, per service. */
    ERROR_RATIO("error-ratio", MetricNames.ERROR_RATIO, "a fraction from 0 to 1"),
    /** Server requests per second, per service. */
    REQUEST_RATE("request-rate", MetricNames.REQUEST_RATE, "requests per second"),
    /** CPU use as a fraction of the limit, per pod. */
    CPU_UTILIZATION("cpu-utilization", MetricNames.CPU_UTILIZATION, "a fraction of the limit from 0 to 1"),
    /**
     * Client-side median latency of calls, seconds, per call edge (the caller's sample; the callee as
     * {@code peer.service}) or per caller.
     */
    CLIENT_LATENCY_P50("client-latency-p50", MetricNames.CLIENT_LATENCY_P50, "seconds"),
    /** Client-side p99 latency of calls, seconds, per call edge or per caller. */
    CLIENT_LATENCY_P99("client-latency-p99", MetricNames.CLIENT_LATENCY_P99, "seconds"),
    /** Memory working set as a fraction of the limit, per pod. */
    MEMORY_UTILIZATION("memory-utilization", MetricNames.MEMORY_UTILIZATION, "a fraction of the limit from 0 to 1"),
    /** Used fraction of a file system, per host and mount point. */
    DISK_UTILIZATION("disk-utilization", MetricNames.DISK_UTILIZATION, "a fraction from 0 to 1"),
    /** Seconds until a TLS certificate expires. */
    CERTIFICATE_EXPIRY("certificate-expiry", MetricNames.CERTIFICATE_TIME_TO_EXPIRY, "seconds");

    private final String label;
    private final String metric;
    private final String unit;

    Kind(String label, String metric, String unit) {
      this.label = label;
      this.metric = metric;
      this.unit = unit;
    }

    /** The name used in configuration, such as {@code latency-p99}. */
    public String label() {
      return label;
    }

    /** The metric name the detectors read. */
    public String metric() {
      return metric;
    }

    /** The unit the detectors expect. */
    public String unit() {
      return unit;
    }

    static Kind parse(String key, String text) {
      for (Kind k : values()) {
        if (k.label.equals(text) || k.metric.equals(text)) {
          return k;
        }
      }
      StringBuilder kinds = new StringBuilder();
      for (Kind k : values()) {
        kinds.append(kinds.length() == 0 ? "" : ", ").append(k.label).append(" (").append(k.unit).append(')');
      }
      throw new IllegalArgumentException(key + ": '" + text + "' is not a signal kind; use one of " + kinds
          + ", or the metric name it stands for, then optionally '* SCALE' and '+ OFFSET'");
    }
  }

  /**
   * One rule.
   *
   * @param source the metric name as it arrives
   * @param kind what it becomes
   * @param scale the factor applied first
   * @param offset added after scaling
   */
  public record Rule(String source, Kind kind, double scale, double offset) {
    /** Checks the rule. */
    public Rule {
      Objects.requireNonNull(source, "source");
      if (source.isBlank() || source.contains("=")) {
        throw new IllegalArgumentException("the source metric name must be non-blank and without '=', but was '"
            + source + "'");
      }
      Objects.requireNonNull(kind, "kind");
      if (!Double.isFinite(scale) || scale == 0 || !Double.isFinite(offset)) {
        throw new IllegalArgumentException(KEY_PREFIX + source + ": the scale must be a finite non-zero number and"
            + " the offset finite, but were " + scale + " and " + offset);
      }
    }

    /** {@code scale × x + offset}. */
    public double apply(double x) {
      return scale * x + offset;
    }

    /** The rule as a configuration line. */
    @Override
    public String toString() {
      return KEY_PREFIX + source + " = " + kind.label + (scale == 1 ? "" : " * " + scale)
          + (offset == 0 ? "" : offset > 0 ? " + " + offset : " - " + (-offset));
    }
  }

  private final Map<String, Rule> rules;
  private final java.util.concurrent.atomic.AtomicLong conflicting = new java.util.concurrent.atomic.AtomicLong();

  private MetricMapping(Map<String, Rule> rules) {
    this.rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
  }

  /** The mapping of {@code rules}; two rules for one source name are refused. */
  public static MetricMapping of(Collection<Rule> rules) {
    Map<String, Rule> m = new LinkedHashMap<>();
    for (Rule r : rules) {
      if (m.put(r.source(), r) != null) {
        throw new IllegalArgumentException(KEY_PREFIX + r.source() + " is given twice; keep one rule per metric");
      }
    }
    return new MetricMapping(m);
  }

  /** No rules: every signal passes unchanged. */
  public static MetricMapping none() {
    return new MetricMapping(Map.of());
  }

  /**
   * The rules among {@code config}'s keys that start with {@link #KEY_PREFIX}; each bad one is added to
   * {@code problems} (naming its key and the fix) and left out.
   */
  public static MetricMapping fromConfig(Map<String, String> config, List<String> problems) {
    List<Rule> out = new ArrayList<>();
    config.forEach((key, value) -> {
      if (key.startsWith(KEY_PREFIX)) {
        try {
          out.add(parseRule(key.substring(KEY_PREFIX.length()), value));
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
    });
    return of(out);
  }

  /**
   * The rules of a configuration file's lines ({@code key = value}, {@code #} comments; the form
   * {@code ./sre-agent run --config} reads): the {@link #KEY_PREFIX} keys, other keys ignored; each bad rule is added
   * to {@code problems} as {@code where:line: message} and left out.
   */
  public static MetricMapping fromLines(List<String> lines, String where, List<String> problems) {
    Map<String, Rule> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = dev.sreagent.api.config.ConfigView.lineText(lines.get(i));
      int eq = text.indexOf('=');
      if (!text.startsWith(KEY_PREFIX) || eq < 0) {
        continue;
      }
      try {
        Rule r = parseRule(text.substring(KEY_PREFIX.length(), eq).strip(), text.substring(eq + 1).strip());
        if (out.putIfAbsent(r.source(), r) != null) { // the first rule stays
          problems.add(where + ":" + (i + 1) + ": " + KEY_PREFIX + r.source() + " is given twice; keep one rule per"
              + " metric");
        }
      } catch (IllegalArgumentException e) {
        problems.add(where + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    return of(out.values());
  }

  /**
   * One rule from its source name and the value of its key, such as {@code error-ratio * -0.01 + 1}.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public static Rule parseRule(String source, String spec) {
    source = source.strip(); // "metrics.map. X = ..." names X: a metric name never starts or ends with a space
    String key = KEY_PREFIX + source;
    String[] t = tokens(spec.strip());
    if (t.length == 0 || t[0].isEmpty()) {
      throw new IllegalArgumentException(key + " needs a signal kind, such as latency-p99 or error-ratio * -0.01 + 1");
    }
    Kind kind = Kind.parse(key, t[0]);
    double scale = 1;
    double offset = 0;
    int i = 1;
    if (i < t.length && t[i].equals("*")) {
      scale = number(key, t, i + 1, "a scale after '*'");
      i += 2;
    }
    if (i < t.length && (t[i].equals("+") || t[i].equals("-"))) {
      double o = number(key, t, i + 1, "an offset after '" + t[i] + "'");
      offset = t[i].equals("+") ? o : -o;
      i += 2;
    }
    if (i < t.length) {
      throw new IllegalArgumentException(key + ": unexpected '" + t[i] + "' in '" + spec.strip() + "'; the form is"
          + " KIND [* SCALE] [+ OFFSET], such as error-ratio * -0.01 + 1");
    }
    return new Rule(source, kind, scale, offset);
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /**
   * {@code spec}'s tokens: the kind, then operators and numbers, with or without spaces between them
   * ({@code latency-p99*0.001} and {@code error-ratio*-0.01+1} read as {@code latency-p99 * 0.001} and
   * {@code error-ratio * -0.01 + 1}). A kind ends at a space, {@code *} or {@code +} (kinds hold {@code -}).
   */
  private static String[] tokens(String spec) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = spec.length();
    while (i < n && !Character.isWhitespace(spec.charAt(i)) && spec.charAt(i) != '*' && spec.charAt(i) != '+') {
      i++;
    }
    out.add(spec.substring(0, i));
    boolean operatorNext = true;
    while (true) {
      while (i < n && Character.isWhitespace(spec.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return out.toArray(String[]::new);
      }
      char c = spec.charAt(i);
      int end = i;
      if (operatorNext && (c == '*' || c == '+' || c == '-')) {
        end = i + 1;
      } else {
        java.util.regex.Matcher m = NUMBER.matcher(spec).region(i, n);
        if (!operatorNext && m.lookingAt()) {
          end = m.end();
        }
        char next = end < n ? spec.charAt(end) : ' ';
        if (end == i || !Character.isWhitespace(next) && next != '*' && next != '+' && next != '-') {
          while (end < n && !Character.isWhitespace(spec.charAt(end))) { // not a number: the text up to a space
            end++;
          }
        }
      }
      out.add(spec.substring(i, end));
      operatorNext = !operatorNext;
      i = end;
    }
  }

  private static double number(String key, String[] t, int at, String what) {
    if (at >= t.length) {
      throw new IllegalArgumentException(key + " needs " + what + ", such as error-ratio * -0.01 + 1");
    }
    try {
      double d = Double.parseDouble(t[at]);
      if (Double.isFinite(d)) {
        return d;
      }
      throw new IllegalArgumentException(key + ": '" + t[at] + "' is not a finite number (" + what + "); give a"
          + " number such as 0.01");
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + ": '" + t[at] + "' is not a number (" + what + ")");
  }

  /** The rules, by source name. */
  public Map<String, Rule> rules() {
    return rules;
  }

  /** Whether there are no rules. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** {@code signal} mapped: a sample of a mapped name renamed and rescaled; anything else as it is. */
  public Signal apply(Signal signal) {
    if (signal instanceof MetricSample m) {
      Rule r = rules.get(m.name());
      if (r != null) {
        return new MetricSample(r.kind().metric(), r.apply(m.value()), m.timestamp(), m.attributes());
      }
    }
    return signal;
  }

  /**
   * {@code sink} behind this mapping. One series (a signal of one service, pod and callee) is fed by one metric: the
   * first that arrives for it, mapped or under the signal's own name; a sample of another metric for the same series
   * (two names mapped to one kind that one service both sends, or a mapped metric beside the conventional one) is
   * refused, counted ({@link #conflictingSamples()}) and logged once, instead of interleaving two series into one
   * baseline. It is reported as taken (not a full queue: a sender must not retry it).
   */
  public TelemetrySink wrap(TelemetrySink sink) {
    Objects.requireNonNull(sink, "sink");
    if (isEmpty()) {
      return sink;
    }
    return new OneFeedPerSeries(this, sink, conflicting);
  }

  /** Samples refused because another metric already feeds their series (see {@link #wrap(TelemetrySink)}). */
  public long conflictingSamples() {
    return conflicting.get();
  }

  /** {@code source}, its signals mapped on their way to the agent; the same source when there are no rules. */
  public TelemetrySource wrap(TelemetrySource source) {
    Objects.requireNonNull(source, "source");
    if (isEmpty()) {
      return source;
    }
    return new TelemetrySource() {
      @Override
      public String name() {
        return source.name();
      }

      @Override
      public void start(TelemetrySink sink) {
        source.start(wrap(sink));
      }

      @Override
      public void close() {
        source.close();
      }
    };
  }

  /** The rules as configuration lines. */
  @Override
  public String toString() {
    return rules.values().stream().map(Rule::toString).toList().toString();
  }
}
