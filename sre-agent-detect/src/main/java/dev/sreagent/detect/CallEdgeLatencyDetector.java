package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;
import java.util.Locale;

/**
 * High latency seen from the caller's side of one call edge: the median client-side latency of the calls from one
 * service to another ({@link MetricNames#CLIENT_LATENCY_P50} with {@link Attributes#PEER_SERVICE} naming the callee;
 * the OpenTelemetry {@code http.client.*} / {@code rpc.client.*} duration histograms, or a mapped per-edge column)
 * above its learned baseline by {@code sigmas} standard deviations and by {@code minRelativeIncrease}, for
 * {@code sustain} — the rule of {@link LatencyDetector} (defaults 3 sigma, +50%, 2 minutes and at least
 * {@link RuleDetector#SUSTAIN_SAMPLES} of the edge's samples; the tail floor of the ratio form), one baseline per
 * edge.
 *
 * <p>Why a detector of its own: a network delay at a pod (or on the path to it) slows every call into it while the
 * pod's own server latency does not move — it measures from when the request reached it — so the latency detector on
 * the callee never fires, and the caller's server latency may rise by a little or not at all. On a recorded Online
 * Boutique day five of seven network delays (40 to 200 times the median latency of the calls into the delayed pod for
 * three minutes) opened no incident before this detector.
 *
 * <p>The anomaly belongs to the <em>callee</em>: the time is spent in it or on the way to it, and an incident's root is
 * the affected service with no affected dependency, so a delay on the calls into a service roots at that service (and
 * a slow dependency of the callee, whose own latency fires too, still roots below it). Its resource is the edge,
 * {@code caller->callee}. The median, not the tail: a delay shifts every call, while a tail that only the caller sees
 * is already the callee's p99 for {@link LatencyDetector}. Samples without a callee (a pod's client latency to all its
 * callees) are not judged, nor those of a caller whose name holds {@code ->} (its edge's key would also be another
 * edge's: {@code a->b} calling {@code c}, {@code a} calling {@code b->c}); the callee is named without surrounding
 * whitespace, and a median of zero or less is no reading (an interval without calls). At most {@link RuleDetector#MAX_SERVICES} edges are kept, about 3.6 KB each.
 */
public final class CallEdgeLatencyDetector extends RuleDetector<CallEdgeLatencyDetector.EdgeState> {
  private final double sigmas;
  private final double minRelativeIncrease;

  /** With {@link LatencyDetector}'s defaults. */
  public CallEdgeLatencyDetector() {
    this(LatencyDetector.DEFAULT_SIGMAS, LatencyDetector.DEFAULT_SUSTAIN,
        LatencyDetector.DEFAULT_MIN_RELATIVE_INCREASE);
  }

  /**
   * With custom settings.
   *
   * @param sigmas standard deviations over the edge's learned median latency, &gt; 0
   * @param sustain how long the rise must last (and at least three of the edge's samples)
   * @param minRelativeIncrease the least rise over the learned level, as a fraction of it, &gt;= 0
   */
  public CallEdgeLatencyDetector(double sigmas, Duration sustain, double minRelativeIncrease) {
    super(MetricNames.CLIENT_LATENCY_P50, sustain, Duration.ofMinutes(1), MAX_SERVICES);
    this.sigmas = Require.positive(sigmas, "sigmas");
    this.minRelativeIncrease = Require.atLeast(minRelativeIncrease, 0, "minRelativeIncrease");
  }

  /** One edge's baseline. */
  static final class EdgeState extends ResourceState {
    final LearnedBaseline baseline = new LearnedBaseline(1.0 / 40, TailFloor.Form.RATIO);

    EdgeState(String service, String resource) {
      super(service, resource);
    }
  }

  @Override
  public String name() {
    return "call-edge-latency";
  }

  @Override
  public IncidentType type() {
    return IncidentType.HIGH_LATENCY;
  }

  /** The key between caller and callee; a caller holding it is not judged (its edge's key would read two ways). */
  static final String ARROW = "->";

  @Override
  boolean accepts(MetricSample sample) {
    String peer = sample.attribute(Attributes.PEER_SERVICE);
    return peer != null && !peer.isBlank() && !sample.service().contains(ARROW);
  }

  /** A zero median is an interval without calls (no reading), not a call that took no time; negatives are junk. */
  @Override
  boolean plausible(double value) {
    return value > 0;
  }

  @Override
  String resourceOf(MetricSample s) {
    return s.service() + ARROW + serviceOf(s);
  }

  @Override
  String serviceOf(MetricSample s) {
    return java.util.Objects.requireNonNull(s.attribute(Attributes.PEER_SERVICE)).strip();
  }

  @Override
  EdgeState newState(String service, String resource) {
    return new EdgeState(service, resource);
  }

  @Override
  void writeState(EdgeState st, java.io.DataOutputStream out) throws java.io.IOException {
    st.baseline.write(out);
  }

  @Override
  void readState(EdgeState st, java.io.DataInputStream in) throws java.io.IOException {
    st.baseline.readInto(in);
  }

  @Override
  Evaluation evaluate(EdgeState st, MetricSample sample) {
    return againstBaseline(st.baseline, sample, st.firing, (b, t) -> b.level(t) + sigmas * b.stddev(),
        (b, t) -> Math.max(b.level(t) + sigmas * b.stddev(), b.level(t) * (1 + minRelativeIncrease)), true);
  }

  @Override
  Severity severityOf(EdgeState st, double value, double threshold) {
    return LatencyDetector.severity(value, st.baseline);
  }

  @Override
  double scoreOf(double value, double threshold) {
    return LatencyDetector.score(value, threshold);
  }

  @Override
  String describe(EdgeState st, double value, double threshold) {
    String caller = st.resource.substring(0, st.resource.length() - st.service.length() - 2);
    return String.format(Locale.ROOT, "calls from %s to %s take %s at the median, above their baseline %s (threshold"
        + " %s): a delay in %s or on the way to it", caller, st.service, ms(value), ms(st.baseline.mean()),
        ms(threshold), st.service);
  }

  private static String ms(double seconds) {
    return seconds < 0.01 ? String.format(Locale.ROOT, "%.1f ms", seconds * 1000)
        : String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
  }
}
