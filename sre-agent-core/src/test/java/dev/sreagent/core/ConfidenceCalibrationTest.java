package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.core.reasoning.ConfidenceCalibration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfidenceCalibrationTest {
  @Test
  void statedConfidencesBecomeTheRatesAtWhichTheyWereRight(@TempDir Path dir) throws Exception {
    List<double[]> graded = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      graded.add(new double[] {0.6, i % 2}); // right half of the time
      graded.add(new double[] {0.8, i < 38 ? 1 : 0}); // right 38 of 40 times
    }
    ConfidenceCalibration c = ConfidenceCalibration.fit("offline-evidence", graded);
    assertThat(c.apply(0.6)).isCloseTo(21.0 / 42, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.apply(0.8)).isCloseTo(39.0 / 42, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.apply(0.7)).isBetween(c.apply(0.6), c.apply(0.8));
    assertThat(c.apply(0.1)).isEqualTo(c.apply(0.6));
    Path f = dir.resolve("calibration.txt");
    c.write(f);
    ConfidenceCalibration back = ConfidenceCalibration.read(f);
    assertThat(back.diagnoses()).isEqualTo(80);
    assertThat(back.reasoner()).isEqualTo("offline-evidence");
    assertThat(back.apply(0.7)).isCloseTo(c.apply(0.7), org.assertj.core.data.Offset.offset(1e-6));
    Files.writeString(f, "reasoner x\n0.5 0.7\n0.9 seven\n");
    assertThatThrownBy(() -> ConfidenceCalibration.read(f)).hasMessageContaining(f + ":3: expected 'stated rate'");
  }

  @Property(tries = 300)
  void theMappingIsMonotoneAndStaysAProbability(@ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = 0, max = 1)
      Double> stated, @ForAll long seed) {
    java.util.Random rng = new java.util.Random(seed);
    List<double[]> graded = new ArrayList<>();
    for (double s : stated) {
      graded.add(new double[] {s, rng.nextDouble() < s ? 1 : 0});
    }
    ConfidenceCalibration c = ConfidenceCalibration.fit("offline-evidence", graded);
    double previous = -1;
    for (double x = 0; x <= 1.0001; x += 0.01) {
      double y = c.apply(x);
      assertThat(y).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(previous - 1e-12);
      previous = y;
    }
  }
}
