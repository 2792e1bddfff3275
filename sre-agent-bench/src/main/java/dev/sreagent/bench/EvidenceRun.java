package dev.sreagent.bench;

import dev.sreagent.api.model.Incident;
import dev.sreagent.core.evidence.EvidenceDigest;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import dev.sreagent.llm.LlmClient;
import dev.sreagent.llm.LlmReasoner;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.llm.LlmEmulator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code evidence}: the token economy of LLM diagnosis on the built-in scenarios (seeds 1..N, phase OBSERVE). One
 * agent per scenario run, one {@link LlmReasoner} (with its semantic cache) shared by all of them, as a long-lived
 * agent would keep it, talking to the {@link LlmEmulator}. Reports, per incident, the evidence's raw size (every
 * metric sample, log line and change) against its {@link EvidenceDigest} in the prompt, the prompt size the
 * emulator received, and the cache hit rate.
 */
final class EvidenceRun {
  private EvidenceRun() {}

  static int run(int seeds, int budget, PrintStream out) {
    List<int[]> sizes = new ArrayList<>(); // raw, digest
    try (LlmEmulator llm = LlmEmulator.start()) {
      String answer = "{\"hypotheses\": [{\"cause\": \"see the evidence\", \"likelihood\": 0.5, \"root_service\":"
          + " \"unknown\", \"rationale\": \"emulated\", \"citations\": [], \"evidence\": [], \"signals\": [],"
          + " \"action\": \"none\"}]}";
      for (int i = 0; i < 10_000; i++) {
        llm.enqueue(LlmEmulator.Reply.text(answer));
      }
      LlmReasoner reasoner = LlmReasoner.builder(LlmClient.anthropic(llm.baseUrl(), "bench", "emulated",
          Duration.ofSeconds(5))).setFallback(new EvidenceReasoner()).setEvidenceBudget(budget).build();
      for (int seed = 1; seed <= seeds; seed++) {
        for (Scenario s : Scenarios.builtIn()) {
          if (s.fault() == null) {
            continue;
          }
          for (Incident inc : ScenarioIncidents.investigated(s, seed, b -> b.setReasoner(reasoner))) {
            EvidenceDigest d = EvidenceDigest.of(inc, budget);
            sizes.add(new int[] {d.rawTokens(), d.tokens()});
          }
        }
      }
      long[] cache = reasoner.cacheStats();
      List<Integer> prompts = llm.requests().stream().map(r -> r.body().length() / 4).sorted().toList();
      int[] raw = sizes.stream().mapToInt(x -> x[0]).sorted().toArray();
      int[] digest = sizes.stream().mapToInt(x -> x[1]).sorted().toArray();
      long rawSum = sizes.stream().mapToLong(x -> x[0]).sum();
      long digestSum = sizes.stream().mapToLong(x -> x[1]).sum();
      out.printf(Locale.ROOT, "%d incidents over seeds 1..%d, evidence budget %d tokens%n", sizes.size(), seeds,
          budget);
      out.printf(Locale.ROOT, "evidence tokens per incident: raw median %d (max %d) -> digest median %d (max %d);"
          + " total %d -> %d (%.1fx fewer)%n", raw[raw.length / 2], raw[raw.length - 1], digest[digest.length / 2],
          digest[digest.length - 1], rawSum, digestSum, (double) rawSum / Math.max(1, digestSum));
      out.printf(Locale.ROOT, "prompts sent: %d, median %d tokens (system + evidence + documents)%n",
          prompts.size(), prompts.isEmpty() ? 0 : prompts.get(prompts.size() / 2));
      out.printf(Locale.ROOT, "semantic cache: %d hits, %d misses (hit rate %.1f%%)%n", cache[0], cache[1],
          100.0 * cache[0] / Math.max(1, cache[0] + cache[1]));
    }
    return 0;
  }
}
