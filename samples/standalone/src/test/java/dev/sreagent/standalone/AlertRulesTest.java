package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.core.PrometheusExposition;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.runtime.BackgroundRunner;
import dev.sreagent.otel.OtlpHttpReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/prometheus/sre-agent-alerts.yaml} alerts on what the agent serves: every metric its expressions name
 * is one {@code /metrics} exposes (a renamed metric would silence an alert without an error anywhere), and its unit
 * tests pass under {@code promtool test rules} where the Prometheus package is installed (.ci/run runs them too).
 */
class AlertRulesTest {
  private static final Path DIR = Path.of("..", "..", "deploy", "prometheus");

  @Test
  void everyMetricTheAlertsNameIsOneTheAgentExposes() throws Exception {
    Set<String> named = names(Pattern.compile("sreagent_[a-z_]+"), Files.readString(DIR.resolve(
        "sre-agent-alerts.yaml")));
    assertThat(named).hasSizeGreaterThan(10);
    String exposition;
    try (SreAgent agent = SreAgent.builder().setDiscovery(false).build();
        OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setListen(false).build();
        BackgroundRunner loop = BackgroundRunner.start(() -> { }, Duration.ofHours(1), "alerts-test")) {
      exposition = PrometheusExposition.render(agent, loop) + AdminServer.receiver(otlp) + AdminServer.slack(
          java.util.Map::<String, Long>of) + AdminServer.teams(java.util.Map::<String, Long>of);
    }
    Set<String> exposed = names(Pattern.compile("(?m)^# TYPE (sreagent_[a-z_]+) "), exposition);
    assertThat(exposed).containsAll(named);
  }

  @Test
  void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed (apt-get install prometheus)");
    assertThat(promtool(promtool.toString(), "check", "rules", "sre-agent-alerts.yaml")).contains("SUCCESS");
    assertThat(promtool(promtool.toString(), "test", "rules", "sre-agent-alerts.test.yaml")).contains("SUCCESS");
  }

  private static String promtool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(said).isZero();
    return said;
  }

  private static Set<String> names(Pattern pattern, String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.groupCount() > 0 ? m.group(1) : m.group());
    }
    return out;
  }
}
