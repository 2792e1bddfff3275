package dev.sreagent.detect;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Detector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoublePredicate;

/**
 * The built-in detectors' settings as configuration keys, so that a team tunes detection without code (the same keys
 * in {@code ./sre-agent run --config}, {@code bench rca --config} and the builder's {@code setConfig}):
 *
 * <pre>
 * detect.latency.sigmas = 3            # standard deviations over the learned p99 baseline, &gt; 0
 * detect.latency.min-increase = 0.5    # and at least +50% over it, &gt;= 0
 * detect.latency.sustain = 2m
 * detect.errors.factor = 3             # error ratio at least 3 × its baseline, &gt; 1
 * detect.errors.min-ratio = 0.02       # and at least 2% of requests, in [0, 1)
 * detect.errors.sustain = 2m
 * detect.memory.threshold = 0.85       # share of the memory limit, in (0, 1]
 * detect.memory.sustain = 5m
 * detect.disk.threshold = 0.8          # share of the volume, in (0, 1)
 * detect.disk.horizon = 24h            # forecast to fill within
 * detect.certificates.window = 14d     # expiry closer than
 * detect.cpu.saturation = 0.9          # share of the CPU limit, in (0, 1]
 * detect.cpu.min-rise = 0.2            # over the pod's learned level, in [0, 1)
 * detect.cpu.sustain = 5m
 * detect.edges.sigmas = 3              # call-edge latency: over the learned median of the calls into a service,
 * detect.edges.min-increase = 0.5      #   &gt; 0 and &gt;= 0 as for latency
 * detect.edges.sustain = 2m
 * detect.cpu.enabled = false           # any of latency, errors, memory, disk, certificates, cpu, edges, alerts
 * detect.ranking.threshold = 10        # the root-cause ranking (RootCauseRanker.Settings): robust z of an anomalous
 * detect.ranking.baseline-points = 30  #   service, samples before the onset forming a series' baseline,
 * detect.ranking.window-points = 3     #   samples from the onset on that are scored,
 * detect.ranking.relative-floor = 0    #   least spread as a share of the median,
 * detect.ranking.edges = peered        #   which client latency points at a callee: none, peered, peered-and-pod
 * </pre>
 *
 * Durations are whole numbers with a unit ({@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h}, {@code 1d}). A key not
 * given keeps the detector's default ({@link BuiltInDetectors}); with no key at all the detectors are exactly the
 * defaults. Every bad value is reported at once, each naming its key, what it must be and the value given.
 */
public final class DetectorSettings {
  /** The prefix of every key. */
  public static final String KEY_PREFIX = "detect.";

  /** The detectors' configuration names, in {@link BuiltInDetectors#create()}'s order. */
  public static final List<String> DETECTORS = List.of("memory", "latency", "errors", "disk", "certificates", "cpu",
      "edges", "alerts");

  /** One key: what it must be and how a value is checked. */
  private record Key(String name, String expected, Object fallback, DoublePredicate valid) {}

  private static final Map<String, Key> KEYS = table();

  private static Map<String, Key> table() {
    Map<String, Key> k = new LinkedHashMap<>();
    number(k, "latency.sigmas", "a number > 0 such as 3", LatencyDetector.DEFAULT_SIGMAS, x -> x > 0);
    number(k, "latency.min-increase", "a number >= 0 such as 0.5", LatencyDetector.DEFAULT_MIN_RELATIVE_INCREASE,
        x -> x >= 0);
    duration(k, "latency.sustain", LatencyDetector.DEFAULT_SUSTAIN);
    number(k, "errors.factor", "a number > 1 such as 3", ErrorRateDetector.DEFAULT_FACTOR, x -> x > 1);
    number(k, "errors.min-ratio", "a number in [0, 1) such as 0.02", ErrorRateDetector.DEFAULT_MIN_RATIO,
        x -> x >= 0 && x < 1);
    duration(k, "errors.sustain", ErrorRateDetector.DEFAULT_SUSTAIN);
    number(k, "memory.threshold", "a number in (0, 1] such as 0.85", MemoryPressureDetector.DEFAULT_THRESHOLD,
        x -> x > 0 && x <= 1);
    duration(k, "memory.sustain", MemoryPressureDetector.DEFAULT_SUSTAIN);
    number(k, "disk.threshold", "a number in (0, 1) such as 0.8", DiskExhaustionDetector.DEFAULT_THRESHOLD,
        x -> x > 0 && x < 1);
    duration(k, "disk.horizon", DiskExhaustionDetector.DEFAULT_HORIZON);
    duration(k, "certificates.window", CertificateExpiryDetector.DEFAULT_WINDOW);
    number(k, "cpu.saturation", "a number in (0, 1] such as 0.9", CpuSaturationDetector.DEFAULT_SATURATION,
        x -> x > 0 && x <= 1);
    number(k, "cpu.min-rise", "a number in [0, 1) such as 0.2", CpuSaturationDetector.DEFAULT_MIN_RISE,
        x -> x >= 0 && x < 1);
    duration(k, "cpu.sustain", CpuSaturationDetector.DEFAULT_SUSTAIN);
    number(k, "edges.sigmas", "a number > 0 such as 3", LatencyDetector.DEFAULT_SIGMAS, x -> x > 0);
    number(k, "edges.min-increase", "a number >= 0 such as 0.5", LatencyDetector.DEFAULT_MIN_RELATIVE_INCREASE,
        x -> x >= 0);
    duration(k, "edges.sustain", LatencyDetector.DEFAULT_SUSTAIN);
    RootCauseRanker.Settings r = RootCauseRanker.Settings.DEFAULTS;
    number(k, "ranking.threshold", "a number > 0 such as 10", r.threshold(), x -> x > 0);
    number(k, "ranking.baseline-points", "a whole number >= 3 such as 30", r.baselinePoints(),
        x -> x >= 3 && x <= 100_000 && x == Math.rint(x));
    number(k, "ranking.window-points", "a whole number >= 1 such as 3", r.windowPoints(),
        x -> x >= 1 && x <= 100_000 && x == Math.rint(x));
    number(k, "ranking.relative-floor", "a number in [0, 1] such as 0.05", r.relativeFloor(), x -> x >= 0 && x <= 1);
    k.put(KEY_PREFIX + "ranking.edges", new Key(KEY_PREFIX + "ranking.edges", "none, peered or peered-and-pod",
        r.edges(), x -> true));
    for (String d : DETECTORS) {
      k.put(KEY_PREFIX + d + ".enabled", new Key(KEY_PREFIX + d + ".enabled", "true or false", Boolean.TRUE,
          x -> true));
    }
    return java.util.Collections.unmodifiableMap(k);
  }

  private static void number(Map<String, Key> k, String name, String expected, double fallback, DoublePredicate ok) {
    k.put(KEY_PREFIX + name, new Key(KEY_PREFIX + name, expected, fallback, ok));
  }

  private static void duration(Map<String, Key> k, String name, Duration fallback) {
    k.put(KEY_PREFIX + name, new Key(KEY_PREFIX + name, "a positive duration such as "
        + format(fallback), fallback, x -> true));
  }

  private final Map<String, Object> values;

  private DetectorSettings(Map<String, Object> values) {
    this.values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Every detector with its defaults. */
  public static DetectorSettings defaults() {
    return new DetectorSettings(Map.of());
  }

  /** Every key this class reads, in a stable order. */
  public static List<String> keys() {
    return List.copyOf(KEYS.keySet());
  }

  /**
   * The settings {@code config} gives ({@link #KEY_PREFIX} keys; other keys are ignored, and a key under the prefix
   * that is not one of {@link #keys()} is refused when the view lists its keys, {@link ConfigView#keys()}).
   *
   * @throws ConfigurationException listing every bad value and unknown key, each with its key and the fix
   */
  public static DetectorSettings of(ConfigView config) {
    Objects.requireNonNull(config, "config");
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    config.keys().stream().filter(key -> key.startsWith(KEY_PREFIX) && !KEYS.containsKey(key)).sorted()
        .forEach(key -> problems.add(unknown(key)));
    for (String key : KEYS.keySet()) {
      Optional<String> raw = config.get(key);
      if (raw.isPresent()) {
        try {
          out.put(key, parse(key, raw.get()));
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new DetectorSettings(out);
  }

  /** The settings of a map of keys and values: {@code of(ConfigView.of(config))}. */
  public static DetectorSettings of(Map<String, String> config) {
    return of(ConfigView.of(config));
  }

  /**
   * Checks one key and its value.
   *
   * @throws IllegalArgumentException naming the key, what it must be and the value given (or the known keys)
   */
  public static void check(String key, String value) {
    parse(key, value);
  }

  private static Object parse(String key, String value) {
    Key k = KEYS.get(key);
    if (k == null) {
      throw new IllegalArgumentException(unknown(key));
    }
    String v = Objects.requireNonNull(value, "value").strip();
    if (k.fallback() instanceof Boolean) {
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
      }
      throw bad(k, value);
    }
    if (k.fallback() instanceof RootCauseRanker.Edges) {
      for (RootCauseRanker.Edges e : RootCauseRanker.Edges.values()) {
        if (label(e).equals(v.toLowerCase(Locale.ROOT))) {
          return e;
        }
      }
      throw bad(k, value);
    }
    if (k.fallback() instanceof Duration) {
      try {
        return ConfigView.parseDuration(key, v);
      } catch (IllegalArgumentException e) {
        throw bad(k, value);
      }
    }
    double x;
    try {
      x = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw bad(k, value);
    }
    if (!Double.isFinite(x) || !k.valid().test(x)) {
      throw bad(k, value);
    }
    return x;
  }

  private static String label(RootCauseRanker.Edges e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static IllegalArgumentException bad(Key k, String value) {
    return new IllegalArgumentException(k.name() + " must be " + k.expected() + ", but was '" + value + "'");
  }

  private static String unknown(String key) {
    return "unknown key '" + key + "'; the " + KEY_PREFIX + "* keys are " + String.join(", ", KEYS.keySet().stream()
        .filter(x -> !x.endsWith(".enabled")).toList()) + " and " + KEY_PREFIX + "NAME.enabled for NAME in "
        + String.join(", ", DETECTORS);
  }

  /** Whether every setting is the default. */
  public boolean isDefault() {
    return values.entrySet().stream().allMatch(e -> e.getValue().equals(KEYS.get(e.getKey()).fallback()));
  }

  private double number(String name) {
    return (Double) values.getOrDefault(KEY_PREFIX + name, KEYS.get(KEY_PREFIX + name).fallback());
  }

  private Duration duration(String name) {
    return (Duration) values.getOrDefault(KEY_PREFIX + name, KEYS.get(KEY_PREFIX + name).fallback());
  }

  /** Whether the detector of that configuration name ({@link #DETECTORS}) runs. */
  public boolean enabled(String detector) {
    if (!DETECTORS.contains(detector)) {
      throw new IllegalArgumentException("unknown detector '" + detector + "'; the detectors are " + DETECTORS);
    }
    return (Boolean) values.getOrDefault(KEY_PREFIX + detector + ".enabled", Boolean.TRUE);
  }

  /**
   * The root-cause ranking's settings ({@code detect.ranking.*}: {@link RootCauseRanker.Settings}'s threshold, baseline
   * and window in samples, relative floor and edge rule; the cross-validated defaults where not given).
   */
  public RootCauseRanker.Settings ranking() {
    RootCauseRanker.Settings d = RootCauseRanker.Settings.DEFAULTS;
    return new RootCauseRanker.Settings((int) number("ranking.baseline-points"), (int) number("ranking.window-points"),
        number("ranking.threshold"), number("ranking.relative-floor"), d.signals(),
        (RootCauseRanker.Edges) values.getOrDefault(KEY_PREFIX + "ranking.edges", d.edges()));
  }

  /**
   * New instances of the enabled built-in detectors with these settings, in {@link BuiltInDetectors#create()}'s order
   * (detectors hold per-series state: never share them).
   */
  public List<Detector> create() {
    List<Detector> out = new ArrayList<>();
    for (String d : DETECTORS) {
      if (!enabled(d)) {
        continue;
      }
      out.add(switch (d) {
        case "memory" -> new MemoryPressureDetector(number("memory.threshold"), duration("memory.sustain"));
        case "latency" -> new LatencyDetector(number("latency.sigmas"), duration("latency.sustain"),
            number("latency.min-increase"));
        case "errors" -> new ErrorRateDetector(number("errors.factor"), number("errors.min-ratio"),
            duration("errors.sustain"));
        case "disk" -> new DiskExhaustionDetector(number("disk.threshold"), duration("disk.horizon"));
        case "certificates" -> new CertificateExpiryDetector(duration("certificates.window"));
        case "cpu" -> new CpuSaturationDetector(number("cpu.saturation"), number("cpu.min-rise"),
            duration("cpu.sustain"));
        case "edges" -> new CallEdgeLatencyDetector(number("edges.sigmas"), duration("edges.sustain"),
            number("edges.min-increase"));
        default -> new AlertDetector();
      });
    }
    return List.copyOf(out);
  }

  /** The settings given, as configuration lines ({@code detect.cpu.sustain = 2m}, ...); empty for the defaults. */
  @Override
  public String toString() {
    List<String> out = new ArrayList<>();
    values.forEach((key, v) -> out.add(key + " = " + (v instanceof Duration d ? format(d)
        : v instanceof RootCauseRanker.Edges e ? label(e) : v instanceof Double x
        && x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x.doubleValue()) : String.valueOf(v))));
    return String.join(", ", out);
  }

  private static String format(Duration d) {
    long ms = d.toMillis();
    for (Object[] u : new Object[][] {{86_400_000L, "d"}, {3_600_000L, "h"}, {60_000L, "m"}, {1_000L, "s"}}) {
      long unit = (Long) u[0];
      if (ms % unit == 0) {
        return ms / unit + (String) u[1];
      }
    }
    return ms + "ms";
  }
}
