package dev.sreagent.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.llm.LlmEmulator;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The LLM reasoner configured by name inside a whole agent, with its token metrics. */
class LlmAgentTest {
  @Test
  void configurationProblemsAreReportedTogetherAndTheKeyNeverComesFromTheFile() {
    assertThatThrownBy(() -> new LlmReasonerProvider(Map.of()).create(ConfigView.of(Map.of("llm.provider",
        "anthropic", "llm.price.input", "-1"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("llm.model is required")
        .hasMessageContaining("ANTHROPIC_API_KEY, but that environment variable is empty")
        .hasMessageContaining("llm.price.input must be a non-negative number");
  }

  @Test
  void theAgentUsesTheModelWhenConfigNamesItAndCountsItsTokens() {
    try (LlmEmulator llm = LlmEmulator.start()) {
      for (int i = 0; i < 5; i++) {
        llm.enqueue(LlmEmulator.Reply.text(LlmFixtures.answer("none", "restart-pods", "cart", "up"))
            .withTokens(1000, 100));
      }
      InMemoryMetricReader metrics = InMemoryMetricReader.create();
      SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(metrics).build();
      io.opentelemetry.api.OpenTelemetry otel = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
          .setMeterProvider(meters).build();
      SimulationHarness h = SimulationHarness.builder().setSeed(3)
          .setAgentCustomizer(b -> b.setOpenTelemetry(otel).setConfig(Map.of("sre-agent.reasoner", "llm",
              "llm.provider", "ollama", "llm.url", llm.baseUrl(), "llm.model", "llama-test")))
          .build();
      h.runFor(java.time.Duration.ofMinutes(40));
      h.inject(new Fault.MemoryLeak("cart", 0.012));
      h.runFor(java.time.Duration.ofMinutes(60));
      assertThat(h.agent().incidents()).anySatisfy(i -> {
        assertThat(i.diagnosis()).isNotNull();
        assertThat(i.diagnosis().reasoner()).isEqualTo("llm:llama-test");
      });
      assertThat(llm.requests()).isNotEmpty();
      assertThat(metrics.collectAllMetrics()).anySatisfy(m -> {
        assertThat(m.getName()).isEqualTo("sreagent.llm.tokens");
        assertThat(m.getLongSumData().getPoints()).anySatisfy(p -> assertThat(p.getValue()).isEqualTo(1000));
      });
    }
  }
}
