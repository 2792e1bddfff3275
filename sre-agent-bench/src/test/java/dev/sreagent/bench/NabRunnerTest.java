package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabRunnerTest {
  @Test
  void writesOneScoredRowPerInputRowInNabsLayout(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("myCategory"));
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 500; i++) {
      csv.append("2026-01-01 00:").append(String.format("%02d", i % 60)).append(":00,")
          .append(i == 400 ? "1000" : i == 7 ? "nan" : String.valueOf(10 + (i % 3))).append('\n');
    }
    Files.writeString(data.resolve("myCategory").resolve("series_a.csv"), csv);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status = BenchMain.run(new String[] {"nab", "--data", data.toString(), "--out", dir.resolve("out").toString()},
        new PrintStream(log, true, StandardCharsets.UTF_8), System.err);
    assertThat(status).isZero();
    List<String> out = Files.readAllLines(dir.resolve("out").resolve("myCategory").resolve("sreagent_series_a.csv"));
    assertThat(out).hasSize(501);
    assertThat(out.get(0)).isEqualTo("timestamp,value,anomaly_score");
    assertThat(out.get(8)).endsWith(",nan,0.0");
    double spike = Double.parseDouble(out.get(401).substring(out.get(401).lastIndexOf(',') + 1));
    assertThat(spike).isGreaterThan(0.99);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("1 files, 500 points").contains("points/s");
  }

  @Test
  void badArgumentsExitTwo(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(new String[] {"nab", "--data", dir.resolve("missing").toString(), "--out",
        dir.toString()}, System.out, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("must be a folder");
    assertThat(BenchMain.run(new String[] {"nab"}, System.out, e)).isEqualTo(2);
  }
}
