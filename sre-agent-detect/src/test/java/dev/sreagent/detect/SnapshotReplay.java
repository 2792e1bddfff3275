package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import java.util.ArrayList;
import java.util.List;

/** The second half of a snapshot test: the samples after the cut, into the original and into the restored detector. */
final class SnapshotReplay {
  private SnapshotReplay() {}

  /**
   * Feeds {@code rest} to {@code uninterrupted} and to {@code restored}, asserts that both answer every sample alike
   * and end in the same snapshot, and returns their anomalies.
   */
  static List<Anomaly> answersAlike(Detector uninterrupted, Detector restored, List<MetricSample> rest) {
    List<Anomaly> expected = new ArrayList<>();
    List<Anomaly> actual = new ArrayList<>();
    for (MetricSample s : rest) {
      expected.addAll(uninterrupted.observe(s));
      actual.addAll(restored.observe(s));
    }
    assertThat(actual).as(uninterrupted.name()).isEqualTo(expected);
    assertThat(restored.snapshot().orElseThrow()).as(uninterrupted.name())
        .isEqualTo(uninterrupted.snapshot().orElseThrow());
    return expected;
  }
}
