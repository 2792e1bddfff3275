package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.core.SreAgent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplayQuestion#answer}: an empty answer says why — no series around that time, or a component that failed
 * while ranking (contained by the agent, so the answer alone cannot tell).
 */
class ReplayQuestionAnswerTest {
  private static final Instant AT = Instant.parse("2022-08-22T04:27:03Z");

  private static String answer(TopologyProvider topology, boolean json, Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SreAgent agent = SreAgent.builder().setClock(() -> AT).setDiscovery(false)
        .setTopologyProvider(topology).setAuditFile(dir.resolve("audit.jsonl")).build()) {
      ReplayQuestion.parse(AT.toString(), null, null).answer(agent, json,
          new PrintStream(out, true, StandardCharsets.UTF_8));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withNoSeriesTheAnswerSaysThereIsNothingToRank(@TempDir Path dir) {
    assertThat(answer(Topology::empty, false, dir)).contains("nothing to rank (no series")
        .doesNotContain("failed");
    assertThat(answer(Topology::empty, true, dir)).contains("\"candidates\":[]").doesNotContain("error");
  }

  @Test
  void aComponentThatFailsWhileRankingIsNamedAsTheReasonNotAnEmptyGraph(@TempDir Path dir) {
    TopologyProvider broken = () -> {
      throw new IllegalStateException("registry unreachable");
    };
    assertThat(answer(broken, false, dir)).contains("a component failed while ranking")
        .doesNotContain("nothing to rank (no series");
    assertThat(answer(broken, true, dir)).contains("\"error\":\"nothing ranked: a component failed while ranking");
  }
}
