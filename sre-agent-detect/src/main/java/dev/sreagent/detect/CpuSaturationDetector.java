package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;

/**
 * CPU saturation of a pod ({@link MetricNames#CPU_UTILIZATION}, a fraction of its CPU limit), for {@code sustain}
 * (default 5 minutes, and at least {@link RuleDetector#SUSTAIN_SAMPLES} samples at the pod's own pace): the
 * utilisation at or above {@code saturation} of the limit (default {@link #DEFAULT_SATURATION}, 90%) <em>and</em> well
 * above the pod's own learned level — more than 3 sigma and more than {@link #DEFAULT_MIN_RISE} (a fifth of the limit)
 * over it — <em>and</em> above its tail floor (the highest it reached in two different clock hours of the last day
 * outside an incident; see {@link TailFloor}). A pod that always runs hot (92% all day, or at 100% in a batch hour
 * every day) does not page: its level or its habit is already there. A one-off burst sets no floor, so a real
 * saturation is not hidden by one earlier blip. What only the floor keeps from breaching is never learned as normal.
 *
 * <p>Why these defaults. 90%: queueing delay grows as {@code 1 / (1 - rho)}, ten times the service time at 90%, the
 * same saturation line the evidence reasoner uses. The rise of a fifth of the limit: "well above its own baseline" in
 * the units of the limit, so a pod whose level is 80% or more never pages on CPU alone (its latency and errors still
 * do). 5 minutes: CPU at the limit for a minute or two is what JIT warm-up, garbage collection and batch work do; the
 * symptoms (latency, errors) page in 2 minutes when users feel it, and CPU on its own is a cause without a symptom
 * yet, so it waits as long as the memory detector does. No remediation fits (a noisy neighbour, a runaway loop and a
 * too-low limit need different fixes): the incident is diagnosed and escalated with its ranked candidates.
 *
 * <p>Readings: cgroup accounting over a scrape interval can overshoot the limit a little (a recorded Online Boutique
 * day reaches 110% at its CPU faults), so a value up to {@link #MAX_READING} counts as the limit itself (1.0); a
 * negative value or one above {@link #MAX_READING} (a percentage fed as a fraction reads 2 to 100) is not a reading:
 * it is counted ({@link #rejectedImplausible()}) and ignored before it touches any state, like NaN. One state per pod
 * (the {@code k8s.pod.name} attribute, else the service): a single pod on a noisy node is what a service mean would
 * hide; the pods of one service join one incident through the correlator. At most {@link RuleDetector#MAX_SERVICES}
 * pods are kept (each holds a learned baseline and a tail floor, about 1.5 KB).
 */
public final class CpuSaturationDetector extends BaselineRuleDetector {
  /** Default saturation line, a fraction of the CPU limit. */
  public static final double DEFAULT_SATURATION = 0.9;
  /** Default least rise over the pod's learned level, a fraction of the limit. */
  public static final double DEFAULT_MIN_RISE = 0.2;
  /** Default sustain window. */
  public static final Duration DEFAULT_SUSTAIN = Duration.ofMinutes(5);
  /** The highest reading taken as a measurement of the limit (an overshoot); above it, a reading is implausible. */
  public static final double MAX_READING = 1.25;

  private final double saturation;
  private final double minRise;

  /** With the defaults. */
  public CpuSaturationDetector() {
    this(DEFAULT_SATURATION, DEFAULT_MIN_RISE, DEFAULT_SUSTAIN);
  }

  /**
   * With custom settings.
   *
   * @param saturation the utilisation that counts as saturated, in (0, 1]
   * @param minRise the least rise over the pod's learned level, in [0, 1)
   * @param sustain how long the saturation must last (and at least three of the pod's samples)
   */
  public CpuSaturationDetector(double saturation, double minRise, Duration sustain) {
    super(MetricNames.CPU_UTILIZATION, Require.positive(sustain, "sustain"), Duration.ofMinutes(1), MAX_SERVICES);
    this.saturation = Require.withinOpenClosed(saturation, 0, 1, "saturation");
    this.minRise = Require.withinClosedOpen(minRise, 0, 1, "minRise");
  }

  @Override
  public String name() {
    return "cpu-saturation";
  }

  @Override
  public IncidentType type() {
    return IncidentType.CPU_SATURATION;
  }

  @Override
  String resourceOf(MetricSample s) {
    String pod = s.attribute(Attributes.K8S_POD_NAME);
    return pod != null ? pod : s.service();
  }

  @Override
  boolean plausible(double value) {
    return value >= 0 && value <= MAX_READING;
  }

  @Override
  String implausibleBecause(double value) {
    return value < 0 ? super.implausibleBecause(value) : "above " + MAX_READING + " of the CPU limit: a percentage"
        + " fed as a fraction? (metrics.map.NAME = cpu-utilization * 0.01)";
  }

  @Override
  Evaluation evaluate(BaselineState st, MetricSample sample) {
    MetricSample reading = sample.value() > 1 ? new MetricSample(sample.name(), 1.0, sample.timestamp(),
        sample.attributes()) : sample;
    return againstOwnBaseline(st, reading, (b, t) -> Math.max(saturation, Math.max(sigmaBand(b, t),
        b.level(t) + minRise)));
  }

  @Override
  Severity severityOf(BaselineState st, double value, double threshold) {
    return Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double threshold) {
    return clampUnit(0.5 + 0.5 * (Math.min(value, 1) - threshold) / Math.max(1 - threshold, 1e-9));
  }

  @Override
  String describe(BaselineState st, double value, double threshold) {
    return String.format(java.util.Locale.ROOT, "pod %s of %s uses %.0f%% of its CPU limit, usually %.0f%%"
        + " (threshold %.0f%%)", st.resource, st.service, value * 100, st.baseline.mean() * 100, threshold * 100);
  }
}
