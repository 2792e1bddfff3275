package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Review of {@code bench rca --data DIR} and {@code bench replay --input FILE} against wrong layouts and files. */
class BenchInputsAdversarialTest {
  private record Run(int code, String out) {}

  private static Run bench(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = BenchMain.run(args, ps, ps);
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }

  private static void write(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private static String json(String id, String more) {
    return "{\"case_id\": \"" + id + "\", \"csv\": \"cases/" + id + ".csv\", \"graph\": \"graph/g.edges.csv\""
        + more + "}";
  }

  /**
   * Every broken case is named, with what is wrong and the fix, before any case runs (a case without alert_time ran
   * with the alert at 1970-01-01, a missing CSV or graph stopped the run half-way naming only a path).
   */
  @Test
  void aWrongLayoutIsReportedWholeBeforeAnyCaseRuns(@TempDir Path dir) throws Exception {
    write(dir.resolve("graph/g.edges.csv"), "src,dst\nfront,cart\n");
    String csv = "timestamp,cart.PodServerLatencyP99(s)\n1661140000,0.1\n1661140060,0.1\n";
    for (String id : new String[] {"a", "c", "d", "e", "f"}) {
      write(dir.resolve("cases/" + id + ".csv"), csv);
    }
    write(dir.resolve("cases/a.json"), json("a", ""));
    write(dir.resolve("cases/b.json"), json("b", ", \"alert_time\": 1661140060"));
    write(dir.resolve("cases/c.json"), json("c", ", \"alert_time\": 1661140060").replace("g.edges", "gone.edges"));
    write(dir.resolve("cases/d.json"), "{\"case_id\": \"d\",\n \"csv\": ");
    write(dir.resolve("cases/e.json"), json("e", ", \"alert_time\": 1661140060, \"normal\": \"normal/n.csv\""));
    write(dir.resolve("cases/f.json"), json("f", ", \"alert_time\": \"2022-08-22T03:53:54Z\""));
    write(dir.resolve("cases/ok.json"), json("f", ", \"alert_time\": \"1661140060\"").replace("\"f\"", "\"ok\""));
    Path out = dir.resolve("rca.jsonl");

    Run run = bench("rca", "--data", dir.toString(), "--out", out.toString());

    assertThat(run.code()).as(run.out()).isEqualTo(2);
    Path cases = dir.resolve("cases");
    assertThat(run.out())
        .contains("rca: " + cases.resolve("a.json") + ": alert_time must be whole Unix seconds such as 1661140434,"
            + " but was missing")
        .contains("rca: " + cases.resolve("b.json") + ": csv names cases/b.csv, which is not a file under " + dir)
        .contains("rca: " + cases.resolve("c.json") + ": graph names graph/gone.edges.csv, which is not a file")
        .contains("rca: " + cases.resolve("d.json") + ":2: not JSON")
        .contains("rca: " + cases.resolve("e.json") + ": normal names normal/n.csv, which is not a file")
        .contains("rca: " + cases.resolve("f.json") + ": alert_time must be whole Unix seconds such as 1661140434,"
            + " but was \"2022-08-22T03:53:54Z\"")
        .doesNotContain("ok.json").doesNotContain("truth");
    assertThat(out).doesNotExist();
  }

  @Test
  void aMissingCasesFolderOrADataDirThatIsAFileIsNamed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("data.csv"), "x");
    Run run = bench("rca", "--data", file.toString(), "--out", dir.resolve("o.jsonl").toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains(file + " has no cases/ folder");
  }

  @Test
  void aCaseCsvInMillisecondsOrFromASpreadsheetAndAMissingMappingFile(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "\uFEFFtimestamp,a.PodSuccessRate(%)\r\n1661140000,99\r\n1661140060,98\r\n");
    RcaRun.Table t = RcaRun.read(csv);
    assertThat(t.times()).containsExactly(1661140000L, 1661140060L);
    Files.writeString(csv, "timestamp,a.PodSuccessRate(%)\n1661140000000,99\n");
    assertThatThrownBy(() -> RcaRun.read(csv))
        .hasMessageContaining("t.csv:2: timestamp 1661140000000 is not whole Unix seconds (milliseconds?)");

    Path missing = dir.resolve("nope.conf");
    Run run = bench("rca", "--data", dir.toString(), "--out", dir.resolve("o.jsonl").toString(), "--mapping",
        missing.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).contains("rca: --mapping: cannot read " + missing + " (no such file)");
  }

  /**
   * Two records a year apart (a stray timestamp) at {@code --speed 3600}: the silence is not waited for (it was: 2.4
   * hours of wall time). The timeout only guards against that hang.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aSilenceOfAYearInARecordingIsNotWaitedFor(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("stray.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n1661140000,cart,p99,0.1\n1661140015,cart,p99,0.1\n"
        + "1692676000,cart,p99,0.1\n");
    Run run = bench("replay", "--input", csv.toString(), "--speed", "3600");
    assertThat(run.code()).as(run.out()).isZero();
    assertThat(run.out()).contains("replay: 3 records (0 refused) covering 31536000 s of stream");
  }
}
