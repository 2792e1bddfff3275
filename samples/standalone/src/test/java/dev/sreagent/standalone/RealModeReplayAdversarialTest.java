package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of {@code run --replay}: recordings that are empty, broken, or have long gaps. */
class RealModeReplayAdversarialTest {
  private record Run(int code, String out, String err) {}

  private static Run replay(Path dir, Path recording) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", recording.toString(), "--json", "--audit",
        dir.resolve("audit.jsonl").toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), null);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aRecordingWithOnlyAHeaderIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("header-only.csv");
    Files.writeString(csv, "timestamp,cart.p99\n");
    Run run = replay(dir, csv);
    assertThat(run.code()).as(run.out()).isEqualTo(2);
    assertThat(run.err()).contains("cannot replay: ").contains("header-only.csv holds no records");
  }

  @Test
  void aBrokenLineIsRefusedNamingTheFileAndLine(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("broken.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n1661146200,cart,p99,0.1\n1661146260,cart,p99\n");
    Run run = replay(dir, csv);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("broken.csv:3: expected 4 columns, got 3");
  }

  /** Two records a day apart in 2019 (far older than the 1 h max sample age): all accepted, ticked through. */
  @Test
  void anOldRecordingWithADayLongGapIsReplayedWholeAndNothingIsRefused(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("gap.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n1546300800,cart,http.server.request.duration.p99,0.1\n"
        + "1546387200,cart,http.server.request.duration.p99,0.1\n");
    Run run = replay(dir, csv);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("replayed 2 records (0 refused) covering 86460 s of recorded time");
  }
  /** A long CSV of twelve records a minute apart from 2022-08-22T05:30:00Z. */
  private static String twelveMinutes() {
    StringBuilder b = new StringBuilder("timestamp,service,metric,value\n");
    for (int i = 0; i < 12; i++) {
      b.append(1661146200L + 60L * i).append(",cart,p99,0.1\n");
    }
    return b.toString();
  }

  /**
   * The recording is read as it goes: a broken line past the first minutes stops the replay there, naming it and
   * how many records were fed.
   */
  @Test
  void aBrokenLineFarIntoTheRecordingStopsTheReplayThereNamingIt(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("late-break.csv"), twelveMinutes() + "1661147000,cart,p99\n");
    Run run = replay(dir, csv);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains("replaying " + csv + " from 2022-08-22T05:30:00Z on its own clock (read as it"
        + " goes, in time order within a reorder buffer of 10000 items, 5 min)");
    // the six minutes the reorder buffer (5 min) let go before the broken line was read
    assertThat(run.err()).contains("cannot replay further: " + csv + ":14: expected 4 columns, got 3 (6 records were"
        + " fed; the replay stops there)");
  }

  /** A record further out of order than the reorder buffer allows is fed, not dropped, and counted in the summary. */
  @Test
  void aRecordLaterThanTheReorderBufferIsFedAndCounted(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("late.csv"), twelveMinutes() + "1661146230,cart,p99,0.1\n");
    Run run = replay(dir, csv);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("replayed 13 records (0 refused)").contains("(2022-08-22T05:30:00Z to"
        + " 2022-08-22T05:41:00Z); 1 out of order beyond the reorder buffer, fed as they came (the first: " + csv
        + ":14 at 2022-08-22T05:30:30Z, after 2022-08-22T05:35:00Z was delivered)");
  }
}
