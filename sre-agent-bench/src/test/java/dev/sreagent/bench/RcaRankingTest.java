package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RcaRankingTest {
  @Test
  void accuracyCountsTheTruthsPositions() {
    double[] a = RcaRanking.accuracy(List.of(0, 2, Integer.MAX_VALUE));
    assertThat(a[0]).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(a[1]).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(a[2]).isCloseTo((1 + 1 + 2 + 2 + 2) / 5.0 / 3, within(1e-12));
  }

  @Test
  void eachHeldOutSystemIsScoredWithTheSettingChosenOnTheOthers() {
    int settings = RcaRanking.grid().size();
    // right everywhere but on "c"; one setting of the default edge rule
    int good = RcaRanking.grid().indexOf(dev.sreagent.detect.RootCauseRanker.Settings.DEFAULTS.withThreshold(20)
        .withRelativeFloor(0.2));
    List<RcaRanking.Graded> cases = new ArrayList<>();
    for (String system : List.of("a", "b", "c")) {
      int[] pos = new int[settings];
      Arrays.fill(pos, 4);
      pos[good] = system.equals("c") ? 9 : 0;
      cases.add(new RcaRanking.Graded(system, pos));
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    RcaRanking.crossValidate(cases, new PrintStream(text, true, StandardCharsets.UTF_8));

    String[] lines = text.toString(StandardCharsets.UTF_8).split("\n");
    // one line per system and edge rule (NONE, PEERED, PEERED_AND_POD): the constants are chosen per edge rule
    assertThat(lines).hasSize(9);
    // a and b: chosen on the others (one of which is b or a, where it is right): right when held out
    assertThat(lines[1]).startsWith("rca: ranking a").contains("edges PEERED (default)")
        .contains("leave-one-system-out").endsWith("AC@1 1.000 AC@3 1.000 Avg@5 1.000");
    // another edge rule never gets that setting
    assertThat(lines[0]).startsWith("rca: ranking a").contains("edges NONE").endsWith("AC@1 0.000 AC@3 0.000"
        + " Avg@5 0.200");
    // c: chosen on a and b, where that setting is best, and wrong on c
    assertThat(lines[7]).startsWith("rca: ranking c").contains("edges PEERED (default)")
        .endsWith("AC@1 0.000 AC@3 0.000 Avg@5 0.000");
  }
}
