package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --replay FILE --rank-at TIME}: the operator's question "what changed around then" put to the agent after
 * a replay ({@link ReplayQuestion}, {@code SreAgent.rankCandidates}). On a recorded Nezha network delay
 * ({@code src/test/resources/nezha/ob-2022-08-22-05.csv}: cartservice's pod delayed, its own server latency flat, the
 * calls into it slow) the question answers cartservice, a network delay — the answer {@code bench rca} gives for the
 * whole case — and the call-edge latency detector pages the same service (until 2026-12-07 no incident opened here).
 */
class RealModeQuestionTest {
  private static final String INJECTED = "2022-08-22T04:27:03Z";

  /** Exit code, standard output and standard error of {@code run} with {@code extra} after the replay's options. */
  private static String[] run(Path dir, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--replay",
        RealModeReplayTest.resource("ob-2022-08-22-05.csv").toString(), "--topology",
        RealModeReplayTest.resource("ob-05.edges.csv").toString(), "--config",
        RealModeReplayTest.resource("mapping.conf").toString(), "--audit", dir.resolve("audit.jsonl").toString()));
    args.addAll(List.of(extra));
    return run(args);
  }

  /** Exit code, standard output and standard error of {@code run} with {@code args}. */
  private static String[] run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RealMode.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), null);
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void afterAReplayTheQuestionNamesTheDelayedServiceTheIncidentRootsAt(@TempDir Path dir) throws Exception {
    String[] r = run(dir, "--rank-at", INJECTED);

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).containsPattern("INC-0001 opened +high-latency SEV2 on cartservice: calls from checkoutservice to"
        + " cartservice take 250 ms at the median")
        .contains("network delay into cartservice (at its pod or on the path to it)")
        .contains("escalated").doesNotContain("INC-0002");
    assertThat(r[1]).contains("what changed around " + INJECTED + ": ")
        .containsPattern("\\n  1\\. cartservice \\(z \\d+\\.\\d, network-delay\\): [^\\n]*calls from frontend")
        .contains("  2. ").contains("  3. ");
  }

  @Test
  void asJsonTheAnswerIsOneLineWithEveryCandidate(@TempDir Path dir) throws Exception {
    String[] r = run(dir, "--rank-at", "1661142423", "--rank-services", "frontend", "--rank-symptom", "latency",
        "--json");

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    List<String> answers = r[1].lines().filter(l -> l.contains("\"type\":\"ranking\"")).toList();
    assertThat(answers).singleElement().satisfies(l -> assertThat(l)
        .contains("\"at\":\"" + INJECTED + "\"").contains("\"services\":[\"frontend\"]")
        .contains("\"symptom\":\"high-latency\"")
        .containsPattern("\"candidates\":\\[\\{[^}]*\"faultClass\":\"network-delay\"[^}]*\"service\":\"cartservice\""));
  }

  @Test
  void aQuestionWithoutAReplayOrWithABadValueIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
    String[] badTime = run(dir, "--rank-at", "yesterday");
    assertThat(badTime[0]).isEqualTo("2");
    assertThat(badTime[2]).contains("--rank-at needs a time such as 2022-08-22T05:21:00Z", "'yesterday'");

    String[] badSymptom = run(dir, "--rank-at", INJECTED, "--rank-symptom", "slowish");
    assertThat(badSymptom[0]).isEqualTo("2");
    assertThat(badSymptom[2]).contains("--rank-symptom needs latency, errors or any, but was 'slowish'");

    String[] noTime = run(dir, "--rank-services", "frontend");
    assertThat(noTime[0]).isEqualTo("2");
    assertThat(noTime[2]).contains("--rank-services describe the question --rank-at TIME asks; add --rank-at");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int live = RealMode.run(List.of("--otlp", "127.0.0.1:0", "--rank-at", INJECTED), new PrintStream(
        new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        null);
    assertThat(live).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rank-at asks about a replay (--replay FILE)")
        .contains("SreAgent.rankCandidates");
  }

  @Test
  void aRepeatedOptionOrAnOptionWhereItsValueShouldBeIsRefusedNamingBoth(@TempDir Path dir) throws Exception {
    String[] twice = run(dir, "--rank-at", INJECTED, "--rank-at", "2022-08-22T05:00:00Z");
    assertThat(twice[0]).isEqualTo("2");
    assertThat(twice[2]).contains("--rank-at is given twice ('" + INJECTED + "' and '2022-08-22T05:00:00Z')");

    String[] swallowed = run(dir, "--rank-at", INJECTED, "--rank-services", "--json");
    assertThat(swallowed[0]).isEqualTo("2");
    assertThat(swallowed[2]).contains("--rank-services needs a value, but was followed by the option '--json'");
  }

  @Test
  void oddButValidValuesAreReadAndTheAnswerIsTheSame(@TempDir Path dir) throws Exception {
    // milliseconds, an offset, spaces and a duplicate among the services: the same question as the ISO time
    ReplayQuestion q = ReplayQuestion.parse("1661142423000", " frontend , frontend,cartservice ", " Latency ");
    assertThat(q.at()).hasToString(INJECTED);
    assertThat(q.services()).containsExactlyInAnyOrder("frontend", "cartservice");
    assertThat(ReplayQuestion.parse("2022-08-22T06:27:03+02:00", null, null).at()).hasToString(INJECTED);
  }

  @Test
  void aReplayThatStopsOnABrokenLineSaysTheQuestionWasNotAnswered(@TempDir Path dir) throws Exception {
    StringBuilder b = new StringBuilder("timestamp,service,metric,value\n");
    for (int i = 0; i < 12; i++) {
      b.append(1661146200L + 60L * i).append(",cart,p99,0.1\n");
    }
    Path csv = java.nio.file.Files.writeString(dir.resolve("broken.csv"), b + "1661147000,cart,p99\n");
    String[] r = run(List.of("--replay", csv.toString(), "--audit", dir.resolve("a.jsonl").toString(), "--rank-at",
        "1661146230"));
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).doesNotContain("what changed around");
    assertThat(r[2]).contains("broken.csv:14: expected 4 columns, got 3").contains("--rank-at not answered");

    // asked before the broken line (15 minutes past its time): answered, and the error does not say otherwise
    Path longer = java.nio.file.Files.writeString(dir.resolve("broken-late.csv"), b.toString()
        + b.substring(b.indexOf("\n") + 1).replace("166114", "166115") + "1661157000,cart,p99\n");
    r = run(List.of("--replay", longer.toString(), "--audit", dir.resolve("b.jsonl").toString(), "--rank-at",
        "1661146230"));
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("what changed around");
    assertThat(r[2]).contains("expected 4 columns, got 3").doesNotContain("not answered");
  }

  /**
   * Four hours of one-minute data, cart twenty times slower for ten minutes from the first hour on: the agent keeps
   * about the last 120 points of a series, so asked at the end it held nothing of that hour ("nothing to rank"); the
   * question is asked once the replay is 15 minutes past its time.
   */
  @Test
  void aQuestionAboutTheFirstHourOfALongRecordingIsAnsweredFromThatHour(@TempDir Path dir) throws Exception {
    StringBuilder b = new StringBuilder("timestamp,cart.PodServerLatencyP99(s),front.PodServerLatencyP99(s)\n");
    for (int i = 0; i < 240; i++) {
      double noise = 1 + 0.02 * ((i * 7) % 5 - 2);
      b.append(1661140800L + 60L * i).append(',').append(0.1 * noise * (i >= 60 && i < 70 ? 20 : 1)).append(',')
          .append(0.2 * noise).append('\n');
    }
    Path csv = java.nio.file.Files.writeString(dir.resolve("four-hours.csv"), b);
    String[] r = run(List.of("--replay", csv.toString(), "--audit", dir.resolve("a.jsonl").toString(), "--config",
        RealModeReplayTest.resource("mapping.conf").toString(), "--rank-at", "2022-08-22T05:00:00Z"));
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("what changed around 2022-08-22T05:00:00Z: \n  1. cart (z ");
    assertThat(r[1].indexOf("what changed")).isLessThan(r[1].indexOf("sre-agent run: replayed 480 records"));
  }
}
