package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.core.runtime.BackgroundRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PrometheusExpositionTest {
  private static final Pattern SAMPLE = Pattern.compile(
      "(sreagent_[a-z_]+)(\\{(?:state=\"[A-Z_]+\"|detector=\"[a-z-]+\")\\})? (-?[0-9]+(\\.[0-9]+)?)");
  private static final Pattern HELP = Pattern.compile("# HELP (sreagent_[a-z_]+) [^\\n]+");
  private static final Pattern TYPE = Pattern.compile("# TYPE (sreagent_[a-z_]+) (counter|gauge)");

  private final Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};

  private SreAgent agentWithOneIncidentAndJunk() {
    SreAgent agent = SreAgent.builder().setClock(() -> now[0]).setDiscovery(false).build();
    agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86400, now[0],
        Map.of(Attributes.SERVICE_NAME, "web", Attributes.TLS_CERTIFICATE, "web-tls")));
    agent.sink().accept(MetricSample.of(MetricNames.ERROR_RATIO, Double.NaN, now[0], "web"));
    for (int i = 0; i < 7; i++) {  // an exporter's -1 for "no data", seven scrapes
      agent.sink().accept(MetricSample.of(MetricNames.LATENCY_P99, -1, now[0].plusSeconds(15L * i), "checkout"));
    }
    agent.tick();
    return agent;
  }

  @Test
  void everyCounterAndGaugeOfTheAgentIsExposedWithItsValue() {
    try (SreAgent agent = agentWithOneIncidentAndJunk()) {
      String text = PrometheusExposition.render(agent, null);
      Map<String, String> samples = samples(text);
      assertThat(samples).containsEntry("sreagent_incidents_opened_total", "1")
          .containsEntry("sreagent_signals_rejected_total", "1")
          .containsEntry("sreagent_signals_accepted_total", "9")  // the NaN is taken in, then rejected
          .containsEntry("sreagent_detector_samples_rejected_total{detector=\"latency\"}", "7")
          .containsEntry("sreagent_detector_samples_rejected_total{detector=\"error-rate\"}", "0")
          .containsEntry("sreagent_kill_switch_engaged", "0")
          .containsEntry("sreagent_approvals_pending", "0")
          .doesNotContainKey("sreagent_loop_ticks_total");
      long active = samples.entrySet().stream().filter(e -> e.getKey().startsWith("sreagent_incidents_active{"))
          .mapToLong(e -> Long.parseLong(e.getValue())).sum();
      assertThat(active).isEqualTo(agent.incidents().stream().filter(i -> !i.state().isTerminal()).count())
          .isEqualTo(1);
      for (IncidentState s : IncidentState.values()) {
        assertThat(samples.containsKey("sreagent_incidents_active{state=\"" + s.name() + "\"}"))
            .as(s.name()).isEqualTo(!s.isTerminal());
      }
      assertThat(agent.stats().detectorSamplesRejected()).isEqualTo(7);
      assertThat(agent.stats().rejectedSamplesByDetector()).containsEntry("latency", 7L)
          .containsKeys("error-rate", "cpu-saturation");

      agent.killSwitch().engage("test");
      assertThat(samples(PrometheusExposition.render(agent, null))).containsEntry("sreagent_kill_switch_engaged", "1");
    }
  }

  @Test
  void theTextFollowsTheExpositionFormatOneHelpAndTypeBeforeEachMetricsSamples() {
    try (SreAgent agent = agentWithOneIncidentAndJunk();
        BackgroundRunner loop = BackgroundRunner.start(() -> { }, Duration.ofHours(1), "exposition-test")) {
      String text = PrometheusExposition.render(agent, loop);
      assertThat(text).endsWith("\n");
      Set<String> described = new HashSet<>();
      String help = null;
      String type = null;
      String typeName = null;
      for (String line : text.split("\n")) {
        Matcher h = HELP.matcher(line);
        Matcher t = TYPE.matcher(line);
        Matcher s = SAMPLE.matcher(line);
        if (h.matches()) {
          help = h.group(1);
          assertThat(described.add(help)).as("one HELP per metric: " + help).isTrue();
        } else if (t.matches()) {
          assertThat(t.group(1)).as("TYPE after its HELP").isEqualTo(help);
          type = t.group(2);
          typeName = t.group(1);
        } else {
          assertThat(s.matches()).as("a sample line: " + line).isTrue();
          assertThat(s.group(1)).as("a sample of the metric just described").isEqualTo(typeName);
          assertThat(s.group(1).endsWith("_total")).as(line).isEqualTo("counter".equals(type));
        }
      }
      assertThat(described).contains("sreagent_loop_ticks_total", "sreagent_loop_ticks_failed_total",
          "sreagent_loop_last_tick_age_seconds");
    }
  }

  /** The real parser and linter: promtool from the Prometheus package, where it is installed (CI installs it). */
  @Test
  void promtoolAcceptsTheExposition() throws IOException, InterruptedException {
    Path promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream().map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(promtool != null, "promtool is not installed (apt-get install prometheus)");
    try (SreAgent agent = agentWithOneIncidentAndJunk();
        BackgroundRunner loop = BackgroundRunner.start(() -> { }, Duration.ofHours(1), "exposition-test")) {
      Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
      p.getOutputStream().write(PrometheusExposition.render(agent, loop).getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(said).isZero();
      assertThat(said).as("no lint finding").isBlank();
    }
  }

  private static Map<String, String> samples(String text) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    List<String> lines = new ArrayList<>(List.of(text.split("\n")));
    for (String line : lines) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()) {
        out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), m.group(3));
      }
    }
    return out;
  }
}
