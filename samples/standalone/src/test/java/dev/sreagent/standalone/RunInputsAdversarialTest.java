package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Topology.Dependency;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of what {@code run} reads from files: the mapping keys, the call graphs and the recording. */
class RunInputsAdversarialTest {
  private record Run(int code, String out) {}

  private static Run run(Path dir, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--audit", dir.resolve("audit.jsonl").toString()));
    int code = RealMode.run(all, ps, ps, new CountDownLatch(0));
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }

  /** {@code bench rca --mapping} refused a metric mapped twice; {@code run --config} kept the last without a word. */
  @Test
  void aMetricMappedTwiceOrToNothingIsNamedByLine(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("m.conf");
    Files.writeString(conf, "metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1\n"
        + "metrics.map.latency_ms=latency-p99*0.001\n"
        + "metrics.map.PodSuccessRate(%) = error-ratio\n"
        + "metrics.map.empty =\n");
    assertThatThrownBy(() -> RunConfig.read(conf))
        .hasMessageContaining(conf + ":3: metrics.map.PodSuccessRate(%) is given twice; keep one rule per metric")
        .hasMessageContaining(conf + ":4: metrics.map.empty needs a signal kind")
        .hasMessageNotContaining(":1:").hasMessageNotContaining(":2:");
    List<String> problems = new ArrayList<>();
    RunConfig c = RunConfig.read(conf, problems);
    assertThat(c.metricRules.get("PodSuccessRate(%)").apply(97)).isCloseTo(0.03,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.metricRules.get("latency_ms").apply(250)).isEqualTo(0.25);
  }

  /** {@code ~/} in the file is the home directory, as for kubernetes.kubeconfig (no shell expands it there). */
  @Test
  void aHomeRelativeGraphOrRecordingIsFound(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("g.csv"), "src,dst\nfront,cart\n");
    Files.writeString(dir.resolve("r.csv"), "timestamp,cart.p99\n1661140000,0.1\n");
    Path conf = Files.writeString(dir.resolve("h.conf"), "topology.file = ~/g.csv\nreplay.file = ~/r.csv\n");
    String home = System.getProperty("user.home");
    System.setProperty("user.home", dir.toString());
    try {
      RunConfig c = RunConfig.read(conf);
      assertThat(c.topology.edges()).containsExactly(new Dependency("front", "cart"));
      assertThat(c.replay).isEqualTo(dir.resolve("r.csv"));
    } finally {
      System.setProperty("user.home", home);
    }
  }

  @Test
  void aSpreadsheetGraphIsReadAndAMissingFileOrADirectoryIsNamedAsSuch(@TempDir Path dir) throws Exception {
    Path excel = dir.resolve("excel.csv");
    Files.write(excel, "\uFEFF\"src\",\"dst\"\r\n\"front end\",\"cart\"\r\n".getBytes(StandardCharsets.UTF_8));
    Path folder = Files.createDirectory(dir.resolve("graphs.csv"));
    Path conf = dir.resolve("g.conf");
    Files.writeString(conf, "topology.file = " + excel + " , \n");
    assertThat(RunConfig.read(conf).topology.edges()).containsExactly(new Dependency("front end", "cart"));

    Run missing = run(dir, "--topology", dir.resolve("nope.csv").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.out()).contains("--topology: cannot read the call graph " + dir.resolve("nope.csv"))
        .contains("no such file");
    Run directory = run(dir, "--topology", folder.toString());
    assertThat(directory.code()).isEqualTo(2);
    assertThat(directory.out()).contains(folder + " is a directory");
    Run replayDir = run(dir, "--replay", folder.toString());
    assertThat(replayDir.code()).isEqualTo(2);
    assertThat(replayDir.out()).contains("cannot replay: " + folder + " is a directory");
  }
}
