package dev.sreagent.core.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The bundled CPU saturation runbook: it is found first for what the CPU saturation detector writes, and adding it
 * leaves the first runbook (and whether the top two cover the type, the reasoner's knowledge factor) of every other
 * built-in type as it was, for the summaries their own detectors write.
 */
class CpuSaturationRunbookTest {
  static final String CPU_RUNBOOK = "runbook-cpu-saturation";

  /**
   * One query of the agent per incident type: the anomaly summaries in each detector's own words (the Diagnoser joins
   * an incident's summaries, one a line, and passes the incident's type), and the runbook found first for it
   * before the CPU runbook was bundled.
   */
  record AgentQuery(IncidentType type, String text, String first) {}

  static final List<AgentQuery> OTHER_TYPES = List.of(
      new AgentQuery(IncidentType.OOM_KILL, "pod cart-r2-k3x9q of cart uses 91% of its memory limit (threshold 85%)",
          "runbook-oom-kill"),
      new AgentQuery(IncidentType.OOM_KILL, "pod cart-r2-k3x9q of cart uses 78% of its memory limit and grows:"
          + " projected OOM in 24 min", "runbook-oom-kill"),
      new AgentQuery(IncidentType.OOM_KILL, "OOMKilled: pod cart-r2-k3x9q OOMKilled (exit 137), replaced by"
          + " cart-r2-m1w7z", "runbook-oom-kill"),
      new AgentQuery(IncidentType.HIGH_LATENCY, "p99 latency of frontend is 540 ms, above its baseline 120 ms"
          + " (threshold 190 ms)", "runbook-high-latency"),
      // the capacity-loss form, which names the CPU: the latency runbook must stay first
      new AgentQuery(IncidentType.HIGH_LATENCY, "p99 latency of frontend is 540 ms, above its baseline 120 ms"
          + " (threshold 190 ms), while its CPU utilisation rose to 93% from 55% with each request costing x1.8 the"
          + " CPU", "runbook-high-latency"),
      // a latency incident that a CPU saturation of its service joined (the type stays the symptom's)
      new AgentQuery(IncidentType.HIGH_LATENCY, "p99 latency of checkout is 500 ms, above its baseline 100 ms"
          + " (threshold 160 ms)\npod checkout-0 of checkout uses 98% of its CPU limit, usually 30% (threshold 90%)",
          "runbook-high-latency"),
      new AgentQuery(IncidentType.ERROR_RATE_SPIKE, "error rate of cart is 15.2%, baseline 0.05% (threshold 2.0%)",
          "runbook-error-rate-spike"),
      // errors with latency: the latency runbook already came first (the error runbook second), before and after
      new AgentQuery(IncidentType.ERROR_RATE_SPIKE, "error rate of checkout is 12.0%, baseline 0.10% (threshold"
          + " 2.0%)\np99 latency of checkout is 900 ms, above its baseline 100 ms (threshold 160 ms)",
          "runbook-high-latency"),
      new AgentQuery(IncidentType.DISK_EXHAUSTION, "disk /var/log/pods/shipping (logs of shipping) is 83% full and"
          + " projected full in 9.5 h", "runbook-disk-exhaustion"),
      new AgentQuery(IncidentType.CERTIFICATE_EXPIRY, "certificate payments-mtls of payments expires in 10.0 days"
          + " (warning window 14 days)", "runbook-certificate-expiry"));

  static LexicalKnowledgeBase bundled(boolean withCpuRunbook) {
    LexicalKnowledgeBase kb = new LexicalKnowledgeBase();
    for (KnowledgeDocument d : LexicalKnowledgeBase.bundledRunbooks()) {
      if (withCpuRunbook || !d.id().equals(CPU_RUNBOOK)) {
        kb.upsert(d);
      }
    }
    return kb;
  }

  static List<RetrievedDocument> retrieve(LexicalKnowledgeBase kb, String text, @Nullable IncidentType type) {
    // what the agent asks for (Diagnoser): five documents; the reasoner cites and weighs the first two
    return kb.retrieve(new KnowledgeQuery(text, type, Set.of(), 5));
  }

  /** As above, with the incident's affected services, as the agent asks (Diagnoser). */
  static List<RetrievedDocument> retrieve(LexicalKnowledgeBase kb, String text, @Nullable IncidentType type,
      String service) {
    return kb.retrieve(new KnowledgeQuery(text, type, Set.of(service), 5));
  }

  static boolean topTwoCover(List<RetrievedDocument> docs, IncidentType type) {
    return docs.stream().limit(2).anyMatch(r -> Arrays.asList(r.document().metadata()
        .getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "").split("\\s*,\\s*")).contains(type.name()));
  }

  @Test
  void theRunbookIsBundledWithItsFrontMatter() {
    KnowledgeDocument d = LexicalKnowledgeBase.bundledRunbooks().stream().filter(r -> r.id().equals(CPU_RUNBOOK))
        .findFirst().orElseThrow(() -> new AssertionError(CPU_RUNBOOK + " is not listed in index.txt"));
    assertThat(d.title()).isEqualTo("CPU saturation - pods at their CPU limit");
    assertThat(d.metadata()).containsEntry(KnowledgeDocument.INCIDENT_TYPES, IncidentType.CPU_SATURATION.name())
        .containsEntry(KnowledgeDocument.KIND, "runbook");
    assertThat(d.text()).contains("## Symptoms", "## Likely causes", "## What to check", "## Remediation",
        "## Verification", "container_cpu_cfs_throttled_periods_total");
    assertThat(d.text().lines().filter(l -> l.startsWith("1.")).findFirst())
        .as("the line the reasoner quotes in its citation")
        .hasValueSatisfying(l -> assertThat(l).contains("roll back"));
  }

  @Test
  void whatTheCpuDetectorWritesFindsTheCpuRunbookFirst() {
    LexicalKnowledgeBase kb = bundled(true);
    for (String summary : List.of(
        "pod checkout-r2-k3x9q of checkout uses 98% of its CPU limit, usually 31% (threshold 90%)",
        "pod ads-0 of ads uses 100% of its CPU limit, usually 12% (threshold 90%)\n"
            + "pod ads-1 of ads uses 95% of its CPU limit, usually 14% (threshold 90%)")) {
      assertThat(retrieve(kb, summary, IncidentType.CPU_SATURATION)).as(summary).first()
          .satisfies(r -> assertThat(r.document().id()).isEqualTo(CPU_RUNBOOK));
      assertThat(retrieve(kb, summary, null)).as("without the type hint: " + summary).first()
          .satisfies(r -> assertThat(r.document().id()).isEqualTo(CPU_RUNBOOK));
    }
  }

  @Test
  void withoutTheRunbookNoCpuDocumentCoveredTheType() {
    // what the runbook changes for the reasoner: before it, no retrieved document covered cpu-saturation
    String summary = "pod checkout-r2-k3x9q of checkout uses 98% of its CPU limit, usually 31% (threshold 90%)";
    assertThat(topTwoCover(retrieve(bundled(false), summary, IncidentType.CPU_SATURATION),
        IncidentType.CPU_SATURATION)).isFalse();
    assertThat(topTwoCover(retrieve(bundled(true), summary, IncidentType.CPU_SATURATION),
        IncidentType.CPU_SATURATION)).isTrue();
  }

  @Test
  void everyOtherTypeFindsTheSameFirstRunbookAsBefore() {
    LexicalKnowledgeBase before = bundled(false);
    LexicalKnowledgeBase after = bundled(true);
    for (AgentQuery q : OTHER_TYPES) {
      List<RetrievedDocument> was = retrieve(before, q.text(), q.type());
      List<RetrievedDocument> is = retrieve(after, q.text(), q.type());
      assertThat(is).as(q.type() + ": " + q.text()).isNotEmpty();
      assertThat(is.get(0).document().id()).as(q.type() + ": " + q.text())
          .isEqualTo(was.get(0).document().id())
          .isEqualTo(q.first());
      assertThat(topTwoCover(is, q.type())).as("knowledge factor of " + q.type() + ": " + q.text())
          .isEqualTo(topTwoCover(was, q.type())).isTrue();
    }
  }
}
