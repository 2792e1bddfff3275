package dev.sreagent.detect;

import dev.sreagent.api.model.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.util.function.ToDoubleBiFunction;

/**
 * The rule detectors that judge each resource against one {@link LearnedBaseline} with its {@link TailFloor} (the
 * excess form): the error ratio per service and the CPU utilisation per pod. A sample is learned when it is within 3
 * sigma of the expected level (and under the threshold), and breaches above the detector's threshold or the tail
 * floor, whichever is higher (see {@link RuleDetector#againstBaseline}).
 */
abstract class BaselineRuleDetector extends RuleDetector<RuleDetector.BaselineState> {
  BaselineRuleDetector(String metric, Duration sustain, Duration clearAfter, int maxResources) {
    super(metric, sustain, clearAfter, maxResources);
  }

  @Override
  final BaselineState newState(String service, String resource) {
    return new BaselineState(service, resource);
  }

  @Override
  final void writeState(BaselineState st, java.io.DataOutputStream out) throws java.io.IOException {
    st.baseline.write(out);
  }

  @Override
  final void readState(BaselineState st, java.io.DataInputStream in) throws java.io.IOException {
    st.baseline.readInto(in);
  }

  /** {@code sample} against the resource's baseline: breach above {@code threshold} and the tail floor. */
  final Evaluation againstOwnBaseline(BaselineState st, MetricSample sample,
      ToDoubleBiFunction<LearnedBaseline, Instant> threshold) {
    return againstBaseline(st.baseline, sample, st.firing, BaselineRuleDetector::sigmaBand, threshold, true);
  }

  /** The baseline's usual band at {@code t}: its expected level plus 3 standard deviations. */
  static double sigmaBand(LearnedBaseline b, Instant t) {
    return b.level(t) + LatencyDetector.DEFAULT_SIGMAS * b.stddev();
  }
}
