package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network delay in a wide CSV through {@code run --replay}: frontend calls cart; from minute 60 frontend's call
 * edge to cart ({@code frontend->cart.latency_src50}, its client-side latency, mapped onto {@code client-latency-p50})
 * and frontend's own server latency jump while cart serves as fast as ever. The edge column arrives as frontend's
 * sample with {@code peer.service = cart}, so the ranking blames cart, as a network delay, not the waiting frontend.
 */
class RealModeReplayEdgeTest {
  private static final long START = 1661144760L;

  /** 60 quiet minutes, then 8 with the delay; {@code edge} false leaves the edge column out. */
  private static String csv(boolean edge) {
    StringBuilder b = new StringBuilder("timestamp,frontend.PodServerLatencyP99(s),cart.PodServerLatencyP99(s)"
        + (edge ? ",frontend->cart.latency_src50" : "") + "\n");
    for (int i = 0; i < 68; i++) {
      boolean fault = i >= 60;
      double jitter = 0.001 * (i % 3);
      b.append(String.format(Locale.ROOT, "%d,%.4f,%.4f", START + 60L * i, (fault ? 1.5 : 0.2) + jitter,
          0.1 + jitter));
      if (edge) {
        b.append(String.format(Locale.ROOT, ",%.4f", (fault ? 0.25 : 0.005) + jitter));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String replay(Path dir, String name, String recording) throws Exception {
    Path csv = Files.writeString(dir.resolve(name), recording);
    Path edges = Files.writeString(dir.resolve("edges.csv"), "src,dst\nfrontend,cart\n");
    Path config = Files.writeString(dir.resolve("mapping.conf"), "metrics.map.PodServerLatencyP99(s) = latency-p99\n"
        + "metrics.map.latency_src50 = client-latency-p50\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", csv.toString(), "--json", "--topology", edges.toString(), "--config",
        config.toString(), "--audit", dir.resolve(name + ".audit.jsonl").toString()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), null);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aSlowCallEdgeWhoseCalleeStaysFastLeadsToTheCalleeAsANetworkDelay(@TempDir Path dir) throws Exception {
    String text = replay(dir, "delay.csv", csv(true));
    assertThat(text).contains("(0 refused)");
    List<String> opened = text.lines().filter(l -> l.contains("\"opened\"")).toList();
    assertThat(opened).as(text).singleElement().satisfies(l -> assertThat(l)
        .contains("\"type\":\"high-latency\"")
        .containsPattern("\"candidates\":\\[\\{\"evidence\":\"http.client.request.duration.p50 of calls from frontend"
            + "[^}]*\"faultClass\":\"network-delay\"[^}]*\"service\":\"cart\""));

    // without the edge column the waiting caller leads: the column is what points at cart
    String without = replay(dir, "no-edge.csv", csv(false));
    assertThat(without.lines().filter(l -> l.contains("\"opened\"")).toList()).as(without).singleElement()
        .satisfies(l -> assertThat(l).containsPattern("\"candidates\":\\[\\{[^}]*\"service\":\"frontend\""));
  }
}
