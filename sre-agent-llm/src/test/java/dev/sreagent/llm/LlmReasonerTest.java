package dev.sreagent.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import dev.sreagent.testkit.llm.LlmEmulator;
import dev.sreagent.testkit.llm.LlmEmulator.Reply;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The LLM reasoner against a local emulator of each provider's HTTP API. */
class LlmReasonerTest {
  private final LlmEmulator llm = LlmEmulator.start();

  @AfterEach
  void stop() {
    llm.close();
  }

  static Stream<String> providers() {
    return Stream.of("anthropic", "openai", "ollama");
  }

  private LlmClient client(String provider, Duration timeout) {
    return switch (provider) {
      case "anthropic" -> LlmClient.anthropic(llm.baseUrl(), "test-key", "claude-test", timeout);
      case "openai" -> LlmClient.openAi(llm.baseUrl(), "test-key", "gpt-test", timeout);
      default -> LlmClient.ollama(llm.baseUrl(), "llama-test", timeout);
    };
  }

  private LlmReasoner reasoner(String provider, Function<LlmReasoner.Builder, LlmReasoner.Builder> config) {
    return config.apply(LlmReasoner.builder(client(provider, Duration.ofSeconds(2)))
        .setFallback(new EvidenceReasoner()).setRetries(1, Duration.ofMillis(10)).setPrices(3, 15)).build();
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aWellFormedAnswerBecomesAValidatedCitedDiagnosisWithItsTokens(String provider) {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "payments", "up"))
        .withTokens(1200, 150));
    Diagnosis d = reasoner(provider, b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.reasoner()).startsWith("llm:");
    assertThat(d.top().cause()).isEqualTo("bad deploy v42 of payments");
    assertThat(d.top().citations()).extracting(c -> c.documentId()).containsExactly("runbook/error-rate-spike");
    assertThat(d.top().rationale()).contains("Proposed action: rollback").contains("Evidence: [E1, E3]")
        .doesNotContain("Validator");
    assertThat(d.confidence().score()).isGreaterThan(0.8);
    assertThat(d.confidence().explanation()).startsWith(String.format(java.util.Locale.ROOT, "%.2f = 0.3 x model",
        d.confidence().score()));
    assertThat(d.usage()).isNotNull().satisfies(u -> {
      assertThat(u.inputTokens()).isEqualTo(1200);
      assertThat(u.outputTokens()).isEqualTo(150);
      assertThat(u.costUsd()).isEqualTo(1200 * 3 / 1e6 + 150 * 15 / 1e6);
    });
    LlmEmulator.Recorded req = llm.requests().get(0);
    assertThat(req.body()).contains("E1: metric http.server.request.error_ratio of payments")
        .contains("[runbook/error-rate-spike]").contains("\"model\"");
  }

  @Test
  void theRankedCandidatesAreInThePromptAndARankedCandidateMayBeNamedAsRoot() {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "ledger", "up")));
    Incident inc = LlmFixtures.incident(List.of()).withCandidates(List.of(
        new RootCandidate("payments", "http.server.request.error_ratio", 29.5, "0.30 vs median 0.005 (z 29.5)",
            dev.sreagent.api.model.FaultClass.CODE_ERROR),
        new RootCandidate("ledger", "container.cpu.utilization", 14.0, "0.95 vs median 0.20 (z 14.0)")),
        LlmFixtures.T);

    Diagnosis d = reasoner("anthropic", b -> b).diagnose(inc, LlmFixtures.docs());

    assertThat(llm.requests().get(0).body()).contains("Ranked root-cause candidates")
        .contains("1. payments http.server.request.error_ratio score 29.5")
        .contains("(z 29.5); signals point at code-error\\n")
        .contains("2. ledger container.cpu.utilization score 14.0: 0.95 vs median 0.20 (z 14.0)\\n");
    assertThat(d.top().rationale()).doesNotContain("root service 'ledger'");
  }

  @Test
  void aMalformedAnswerFallsBackToTheOfflineReasonerAndSaysWhy() {
    llm.enqueue(Reply.text("The root cause is probably payments. {\"hypotheses\": ").withTokens(900, 20));
    Diagnosis d = reasoner("anthropic", b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.reasoner()).isEqualTo("llm-fallback:offline-evidence");
    assertThat(d.top().cause()).contains("bad deploy of payments revision v42");
    assertThat(d.confidence().explanation()).contains("malformed answer: not JSON");
    assertThat(d.usage()).as("tokens spent on the failed answer still count").isNotNull()
        .satisfies(u -> assertThat(u.inputTokens()).isEqualTo(900));
  }

  @Test
  void anAnswerOutsideTheSchemaIsMalformedToo() {
    llm.enqueue(Reply.text("{\"hypotheses\": [{\"cause\": \"x\", \"likelihood\": 1.7, \"root_service\": \"p\","
        + " \"rationale\": \"\", \"citations\": [], \"evidence\": [], \"signals\": [], \"action\": \"none\"}]}"));
    Diagnosis d = reasoner("openai", b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.confidence().explanation()).contains("hypotheses[0].likelihood must be within [0, 1], got 1.7");
  }

  @Test
  void aTimeoutIsRetriedOnceThenTheOfflineReasonerAnswersAndTheCircuitOpensAfterRepeatedFailures() {
    LlmReasoner r = LlmReasoner.builder(client("anthropic", Duration.ofMillis(200)))
        .setFallback(new EvidenceReasoner()).setRetries(1, Duration.ofMillis(10)).build();
    for (int i = 0; i < 4; i++) {
      llm.enqueue(Reply.text("{}").delayedBy(Duration.ofSeconds(1)));
    }
    Diagnosis first = r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(first.reasoner()).isEqualTo("llm-fallback:offline-evidence");
    assertThat(first.confidence().explanation()).contains("did not answer within PT0.2S");
    assertThat(llm.requests()).hasSize(2);
    r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(r.circuitState()).isEqualTo("OPEN");
    Diagnosis third = r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(third.confidence().explanation()).contains("circuit open");
    assertThat(llm.requests()).as("no call while the circuit is open").hasSize(4);
  }

  @Test
  void aHallucinatedCitationIsCaughtDroppedAndCapsTheConfidence() {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/made-up-doc", "rollback", "payments", "up")));
    Diagnosis d = reasoner("openai", b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.top().citations()).isEmpty();
    assertThat(d.top().rationale()).contains("hallucinated citation 'runbook/made-up-doc'");
    assertThat(d.confidence().score()).isLessThanOrEqualTo(LlmReasoner.REFUSED_CEILING);
    assertThat(d.confidence().explanation()).contains("capped at 0.45");
  }

  @Test
  void anOutOfCatalogActionIsRefused() {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "delete-namespace", "payments", "up")));
    Diagnosis d = reasoner("ollama", b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.top().rationale()).contains("out-of-catalog action 'delete-namespace' refused");
    assertThat(d.confidence().score()).isLessThanOrEqualTo(LlmReasoner.REFUSED_CEILING);
  }

  @Test
  void claimsAgainstTheEvidenceAndAForeignRootAreRefused() {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "inventory", "down")));
    Diagnosis d = reasoner("anthropic", b -> b).diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    assertThat(d.top().rationale()).contains("went down but the evidence shows otherwise")
        .contains("root service 'inventory' is neither affected, a call-graph neighbour nor a ranked"
            + " candidate");
    assertThat(d.confidence().factors().get("agreement")).isEqualTo(0.3);
    assertThat(d.confidence().score()).isLessThanOrEqualTo(LlmReasoner.REFUSED_CEILING);
  }

  @Test
  void noSecretOfTheCorpusEverLeavesTheProcess() {
    List<String[]> corpus = LlmFixtures.corpus();
    List<String> logs = corpus.stream().map(c -> "2026-11-29T02:59:00Z payments ERROR " + c[1]).toList();
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "payments", "up")));
    LlmReasoner r = reasoner("anthropic", b -> b);
    Diagnosis d = r.diagnose(LlmFixtures.incident(logs), LlmFixtures.docs());
    assertThat(d.reasoner()).startsWith("llm:");
    String sent = llm.requests().get(0).body();
    assertThat(sent).contains("[REDACTED:");
    for (String[] c : corpus) {
      assertThat(sent).as("secret from line: " + c[1]).doesNotContain(c[0]);
    }
    // log lines reach the prompt as templates (numbers such as the card number are masked there already); the
    // redactor still sees every template
    assertThat(r.redactions()).containsKeys("aws-key", "secret-setting", "jwt", "email", "ip", "private-key");
  }

  @Test
  void aRepeatedIncidentIsAnsweredFromTheCacheRevalidatedAndFree() {
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "payments", "up"))
        .withTokens(1000, 100));
    LlmReasoner r = reasoner("anthropic", b -> b);
    Diagnosis first = r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
    Diagnosis second = r.diagnose(LlmFixtures.incident(List.of("2026-11-29T02:59:00Z payments ERROR boom")),
        LlmFixtures.docs());
    assertThat(llm.requests()).hasSize(1);
    assertThat(second.reasoner()).isEqualTo("llm-cache:claude-test");
    assertThat(second.usage()).isNotNull().satisfies(u -> assertThat(u.inputTokens() + u.outputTokens()).isZero());
    assertThat(second.top().cause()).isEqualTo(first.top().cause());
    assertThat(r.cacheStats()).containsExactly(1, 1);
    // other documents retrieved (the knowledge changed): a miss
    llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "payments", "up")));
    r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs().subList(0, 1));
    assertThat(llm.requests()).hasSize(2);
  }

  @Test
  void aSecondModelThatDisagreesOnTheRootSendsTheDecisionToAHuman() {
    try (LlmEmulator other = LlmEmulator.start()) {
      llm.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "payments", "up")));
      other.enqueue(Reply.text(LlmFixtures.answer("runbook/error-rate-spike", "rollback", "checkout", "up")));
      LlmReasoner r = reasoner("anthropic", b -> b.setSecondOpinion(LlmClient.openAi(other.baseUrl(), "k",
          "gpt-second", Duration.ofSeconds(2))));
      Diagnosis d = r.diagnose(LlmFixtures.incident(List.of()), LlmFixtures.docs());
      assertThat(d.confidence().score()).isLessThanOrEqualTo(LlmReasoner.REFUSED_CEILING);
      assertThat(d.confidence().explanation()).contains("second opinion (gpt-second) disagrees: root payments vs"
          + " checkout");
      assertThat(d.confidence().factors()).containsEntry("second-opinion", 0.0);
      assertThat(other.requests()).hasSize(1);
    }
  }

  @Test
  void aRetryBackoffOrOpenCircuitThatIsNotPositiveIsRefusedByName() {
    LlmReasoner.Builder b = LlmReasoner.builder(client("anthropic", Duration.ofSeconds(2)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.setRetries(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoff must be positive, but was PT0S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.setOpenCircuitFor(Duration.ofMinutes(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openCircuitFor must be positive");
  }
}
