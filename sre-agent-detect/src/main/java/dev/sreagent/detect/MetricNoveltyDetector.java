package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Watches every series of some metrics - custom metrics the five built-in detectors know nothing about - with a
 * {@link StreamingAnomalyScorer} each, and reports an anomaly when a series does something it has not done before
 * (a new level, an extreme value, an unusual stay or an unusual sequence) and the scorer's score reaches the
 * threshold. One report per episode: after a report the series stays quiet until it has gone the hold time (30
 * minutes) without news, so a queue that backs up and keeps wandering at its new depth is one anomaly.
 *
 * <pre>{@code
 * Detector queue = MetricNoveltyDetector.builder("app.queue.depth")
 *     .setWarmUp(5_760).setPeriod(5_760) // one day of 15-second samples: warm up on a whole daily cycle
 *     .build();
 * List<Detector> detectors = new ArrayList<>(BuiltInDetectors.create());
 * detectors.add(queue);
 * SreAgent agent = SreAgent.builder().setDetectors(detectors).build();
 * }</pre>
 *
 * <p>Without code, through the agent's configuration ({@link NoveltyDetectorProvider}): {@code novelty.metrics =
 * app.queue.depth, jobs.lag}.
 *
 * <p>Anomalies have the type {@link #TYPE} unless {@link Builder#setType} names another: the agent correlates,
 * diagnoses and escalates them like any other (no built-in remediation acts on an unknown type). A series is keyed by
 * the metric name and all its attributes; at most {@link Builder#setMaxSeries} series are scored at a time, the least
 * recently seen one making way for a new one (counted in {@link #evictedSeries()}) - first among series seen only
 * once ({@link BoundedKeyedState}), so a burst of one-off series never costs a series that reports its learned day. Memory per series at the defaults,
 * counted from its arrays: about 80 KB (two windows of 1,500 doubles, a season of 5,760, 2,053 stay counters), plus
 * 46 KB of warm-up values until the warm-up ends; 288-sample seasons and warm-ups take about 36 KB. Not thread-safe: the
 * agent calls it from its loop thread.
 */
public final class MetricNoveltyDetector implements Detector {
  /** The default incident type of its anomalies. */
  public static final IncidentType TYPE = IncidentType.of("metric-novelty");
  /** A day of 15-second samples: the default warm-up and season. */
  public static final int DAY_OF_15S_SAMPLES = 5_760;

  private final Set<String> metrics;
  private final String name;
  private final IncidentType type;
  private final double threshold;
  private final int window;
  private final int period;
  private final int warmUp;
  private final Duration hold;
  private final Set<StreamingAnomalyScorer.Reason> reasons;
  private final BoundedKeyedState<String, Series> series;
  /** The latest sample time seen, of any series: the detector's clock for ending episodes of silent series. */
  private Instant latest = Instant.MIN;

  private static final class Series {
    final StreamingAnomalyScorer scorer;
    final String service;
    /** The last value that was news, reported or not: an episode lasts until the series goes a hold without. */
    @Nullable Instant lastNews;
    boolean inEpisode;

    Series(StreamingAnomalyScorer scorer, String service) {
      this.scorer = scorer;
      this.service = service;
    }
  }

  private MetricNoveltyDetector(Builder b) {
    this.metrics = Set.copyOf(b.metrics);
    this.name = "novelty:" + String.join(",", new java.util.TreeSet<>(metrics));
    this.type = b.type;
    this.threshold = b.threshold;
    this.window = b.window;
    this.period = b.period;
    this.warmUp = b.warmUp;
    this.hold = b.hold;
    this.reasons = EnumSet.copyOf(b.reasons);
    this.series = new BoundedKeyedState<>(b.maxSeries);
  }

  /**
   * A builder for a detector of the metrics named (exact names, as in {@link MetricSample#name()}; each series of
   * each of them gets its own scorer).
   */
  public static Builder builder(String metric, String... more) {
    return new Builder(metric, more);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public IncidentType type() {
    return type;
  }

  @Override
  public List<Anomaly> observe(Signal signal) {
    if (!(signal instanceof MetricSample m) || !metrics.contains(m.name()) || !Double.isFinite(m.value())) {
      return List.of();
    }
    Series s = series.computeIfAbsent(m.seriesKey(),
        k -> new Series(new StreamingAnomalyScorer(window, period, warmUp), m.service()));
    if (m.timestamp().isAfter(latest)) {
      latest = m.timestamp();
    }
    double score = s.scorer.score(m.value());
    if (s.inEpisode && s.lastNews != null && m.timestamp().isAfter(s.lastNews.plus(hold))) {
      s.inEpisode = false;
    }
    if (!s.scorer.lastValueWasNews()) {
      return List.of();
    }
    s.lastNews = m.timestamp();
    StreamingAnomalyScorer.Reason reason = s.scorer.lastReason();
    if (s.inEpisode || score < threshold || reason == null || !reasons.contains(reason)) {
      return List.of();
    }
    s.inEpisode = true;
    String summary = String.format(Locale.ROOT, "%s of %s at %.6g: %s (novelty score %.2f; report %d of this "
        + "series)", m.name(), m.service(), m.value(), reason.description(), score, s.scorer.onsets());
    return List.of(new Anomaly(type, m.service(), resourceOf(m), m.name(), m.value(), threshold, score, Severity.SEV4,
        m.timestamp(), m.timestamp(), summary));
  }

  /** The pod, host:path or certificate of the sample if it names one, else its series key. */
  private static String resourceOf(MetricSample m) {
    for (String attribute : List.of(Attributes.K8S_POD_NAME, Attributes.TLS_CERTIFICATE)) {
      String value = m.attribute(attribute);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    String host = m.attribute(Attributes.HOST_NAME);
    String path = m.attribute(Attributes.FILESYSTEM_PATH);
    return host != null && path != null ? host + ":" + path : m.seriesKey();
  }

  /**
   * Whether a series of {@code service} is in a reported episode: it reported, and the hold time has not passed
   * since its last news (measured on the latest sample of any series, so a series that fell silent ends too).
   */
  @Override
  public boolean isFiring(String service) {
    for (Series s : series.values()) {
      if (s.service.equals(service) && s.inEpisode && s.lastNews != null
          && !latest.isAfter(s.lastNews.plus(hold))) {
        return true;
      }
    }
    return false;
  }

  /** Series scored now (at most the configured maximum). */
  public int trackedSeries() {
    return series.size();
  }

  /** Series dropped to make way for new ones since the start. */
  public long evictedSeries() {
    return series.evictions();
  }

  /** The same as {@link #evictedSeries()}. */
  @Override
  public long evictedStates() {
    return series.evictions();
  }

  /** Settings of a {@link MetricNoveltyDetector}; every setter checks its argument and names it when it refuses. */
  public static final class Builder {
    private final Set<String> metrics = new java.util.LinkedHashSet<>();
    private IncidentType type = TYPE;
    private double threshold = 0.1;
    private int window = StreamingAnomalyScorer.DEFAULT_WINDOW;
    private int period = DAY_OF_15S_SAMPLES;
    private int warmUp = DAY_OF_15S_SAMPLES;
    private int maxSeries = 1_000;
    private Duration hold = Duration.ofMinutes(30);
    private Set<StreamingAnomalyScorer.Reason> reasons = EnumSet.allOf(StreamingAnomalyScorer.Reason.class);

    private Builder(String metric, String... more) {
      metrics.add(checkedName(metric));
      for (String m : more) {
        metrics.add(checkedName(m));
      }
    }

    private static String checkedName(String metric) {
      Objects.requireNonNull(metric, "metric");
      if (metric.isBlank()) {
        throw new IllegalArgumentException("metric must name a metric, for example \"app.queue.depth\", but was "
            + "blank");
      }
      return metric.strip();
    }

    /** The incident type of the anomalies; default {@link MetricNoveltyDetector#TYPE}. */
    public Builder setType(IncidentType type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * The lowest score reported, in (0, 1]; default 0.1 (NAB's best corpus threshold for this scorer: nearly every
     * onset). A report scores 1 / (1 + reports so far per 1,000 values), so 0.5 keeps the news of series that
     * reported less than once per 1,000 values.
     */
    public Builder setThreshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("threshold must be in (0, 1], but was " + threshold);
      }
      this.threshold = threshold;
      return this;
    }

    /** Values in the scorer's extreme-value window; default 1,500. */
    public Builder setWindow(int window) {
      this.window = atLeast(window, 10, "window");
      return this;
    }

    /** The season in samples; default 5,760 (a day of 15-second samples: 288 for 5-minute ones). */
    public Builder setPeriod(int period) {
      this.period = atLeast(period, 1, "period");
      return this;
    }

    /**
     * Values each series learns from before it reports; default 5,760 (a day of 15-second samples). Give it at
     * least one season: what the warm-up has not shown is news later.
     */
    public Builder setWarmUp(int warmUp) {
      this.warmUp = atLeast(warmUp, 10, "warmUp");
      return this;
    }

    /** Series scored at a time; default 1,000. */
    public Builder setMaxSeries(int maxSeries) {
      this.maxSeries = atLeast(maxSeries, 1, "maxSeries");
      return this;
    }

    /**
     * How long a series must go without news (reported or not) before a reported episode ends and it may report
     * again; {@link MetricNoveltyDetector#isFiring} holds that long. Default 30 minutes.
     */
    public Builder setHold(Duration hold) {
      this.hold = Require.positive(hold, "hold");
      return this;
    }

    /**
     * The kinds of news reported; default all four. On noisy series an unusual sequence is the most frequent kind
     * of report that is not an incident (a rare run of tail values): leave out
     * {@link StreamingAnomalyScorer.Reason#UNUSUAL_SEQUENCE} there, keep it where a missing daily jump or a changed
     * shape matters.
     */
    public Builder setReasons(Set<StreamingAnomalyScorer.Reason> reasons) {
      Objects.requireNonNull(reasons, "reasons");
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("reasons must name at least one of "
            + EnumSet.allOf(StreamingAnomalyScorer.Reason.class) + ", but was empty");
      }
      this.reasons = EnumSet.copyOf(reasons);
      return this;
    }

    public MetricNoveltyDetector build() {
      return new MetricNoveltyDetector(this);
    }

    private static int atLeast(int value, int min, String name) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + value);
      }
      return value;
    }
  }
}
