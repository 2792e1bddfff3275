package dev.sreagent.rag.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.core.knowledge.LexicalKnowledgeBase;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HybridKnowledgeBaseTest {
  private static OnnxEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = OnnxEmbedder.allMiniLmL6V2();
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private static String top(HybridKnowledgeBase kb, String text, IncidentType type) {
    List<RetrievedDocument> r = kb.retrieve(new KnowledgeQuery(text, type, Set.of(), 3));
    return r.isEmpty() ? "" : r.get(0).document().id();
  }

  @Test
  void theBundledRunbooksAnswerTheAgentsOwnAnomalySummaries() {
    HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(embedder);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(kb.size()).isEqualTo(13);
    assertThat(kb.chunkCount()).isGreaterThan(40);
    assertThat(top(kb, "pod cart-5f7c uses 91% of its memory limit (threshold 85%)", IncidentType.OOM_KILL))
        .isEqualTo("runbook-oom-kill");
    assertThat(top(kb, "p99 latency of checkout is 1.9 s, baseline 0.2 s", IncidentType.HIGH_LATENCY))
        .isEqualTo("runbook-high-latency");
    assertThat(top(kb, "error rate of payments is 30%, baseline 1%", IncidentType.ERROR_RATE_SPIKE))
        .isEqualTo("runbook-error-rate-spike");
    assertThat(top(kb, "disk node-1:/var/log is 93% full and projected full in 3 h", IncidentType.DISK_EXHAUSTION))
        .isEqualTo("runbook-disk-exhaustion");
    assertThat(top(kb, "certificate of payments expires in 6 days", IncidentType.CERTIFICATE_EXPIRY))
        .isEqualTo("runbook-certificate-expiry");
    assertThat(top(kb, "pods stuck in ErrImagePull after the rollout", null)).isEqualTo("runbook-image-pull-backoff");
    assertThat(top(kb, "no such host: lookup orders.shop.svc.cluster.local i/o timeout", null))
        .isEqualTo("runbook-dns-failure");
    assertThat(kb.retrieve(new KnowledgeQuery("truncate the logs that fill the disk", IncidentType.OOM_KILL,
        Set.of(), 13))).as("documents of other types only rank after those of the type")
        .extracting(d -> d.document().metadata().getOrDefault("incident-types", ""))
        .first().asString().contains("oom-kill");
    RetrievedDocument r = kb.retrieve(new KnowledgeQuery("heap dump before restarting the leaking pod",
        IncidentType.OOM_KILL, Set.of(), 1)).get(0);
    assertThat(r.document().id()).isEqualTo("runbook-oom-kill");
    assertThat(r.document().text()).as("the best section, not the whole runbook").startsWith("## Remediation");
  }

  @Test
  void postMortemsOfTheSameServiceRankFirstAndFeedbackMovesDocuments(@TempDir Path dir) {
    HybridKnowledgeBase kb = HybridKnowledgeBase.open(dir, embedder);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    kb.upsert(new KnowledgeDocument("pm-INC-0042", "Post-mortem INC-0042: payments errors after v31",
        "## Summary\nThe error rate of payments rose to 30% after revision v31 (bad config). Rolled back.\n",
        Map.of(KnowledgeDocument.INCIDENT_TYPES, "error-rate-spike", KnowledgeDocument.SERVICES, "payments",
            KnowledgeDocument.KIND, "post-mortem", "date", "2026-11-01T00:00:00Z")));
    List<RetrievedDocument> before = kb.retrieve(new KnowledgeQuery("error rate of payments is 28%",
        IncidentType.ERROR_RATE_SPIKE, Set.of("payments"), 2));
    assertThat(before).extracting(d -> d.document().id()).containsExactly("pm-INC-0042",
        "runbook-error-rate-spike");
    for (int i = 0; i < 20; i++) {
      kb.feedback("pm-INC-0042", false);
    }
    kb.close();

    HybridKnowledgeBase reopened = HybridKnowledgeBase.open(dir, embedder);
    assertThat(reopened.size()).isEqualTo(14);
    assertThat(reopened.retrieve(new KnowledgeQuery("error rate of payments is 28%",
        IncidentType.ERROR_RATE_SPIKE, Set.of("payments"), 2))).extracting(d -> d.document().id())
        .as("twenty unhelpful uses pushed the post-mortem down").containsExactly("runbook-error-rate-spike",
            "pm-INC-0042");
    assertThat(reopened.remove("pm-INC-0042")).isTrue();
    assertThat(reopened.size()).isEqualTo(13);
    reopened.close();
  }

  @Test
  void theProviderIngestsTheUsersMarkdownNextToTheBundledRunbooks(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kafka-lag.md"), "---\ntitle: Kafka consumer lag\nincident-types: high-latency\n"
        + "---\n# Kafka consumer lag\n\n## Remediation\nScale out the consumer group.\n");
    HybridKnowledgeBase kb = (HybridKnowledgeBase) new HybridKnowledgeBaseProvider().create(ConfigView.of(Map.of(
        "knowledge.import", dir.toString())));
    assertThat(kb.size()).isEqualTo(14);
    assertThat(top(kb, "consumer lag of orders topic keeps growing", null)).isEqualTo("kafka-lag");
  }

  @Test
  void theEmbeddingSearchesWithoutTheRuleExpression() {
    assertThat(HybridKnowledgeBase.denseText("alert X firing: disk almost full; rule: node_filesystem_avail_bytes < 1"))
        .isEqualTo("alert X firing: disk almost full");
    assertThat(HybridKnowledgeBase.denseText("p99 latency of checkout is 1.9 s")).isEqualTo(
        "p99 latency of checkout is 1.9 s");
  }

  @Test
  void reingestingUnchangedDocumentsEmbedsNothingAgain(@TempDir Path dir) {
    java.util.concurrent.atomic.AtomicInteger embedded = new java.util.concurrent.atomic.AtomicInteger();
    dev.sreagent.api.port.Embedder counting = new dev.sreagent.api.port.Embedder() {
      @Override
      public int dimension() {
        return embedder.dimension();
      }

      @Override
      public float[] embed(String text) {
        embedded.incrementAndGet();
        return embedder.embed(text);
      }
    };
    HybridKnowledgeBase kb = HybridKnowledgeBase.open(dir, counting);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    int first = embedded.get();
    assertThat(first).isEqualTo(kb.chunkCount());
    kb.close();
    HybridKnowledgeBase reopened = HybridKnowledgeBase.open(dir, counting);
    reopened.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(embedded.get()).as("nothing re-embedded").isEqualTo(first);
    KnowledgeDocument changed = LexicalKnowledgeBase.bundledRunbooks().get(0);
    reopened.upsert(new KnowledgeDocument(changed.id(), changed.title(), changed.text() + "\n\n## Note\nNew.",
        changed.metadata()));
    assertThat(embedded.get()).as("a changed document is indexed again").isGreaterThan(first);
    assertThat(top(reopened, "heap dump before restarting the leaking pod", IncidentType.OOM_KILL))
        .isEqualTo("runbook-oom-kill");
    reopened.close();
  }

  @Test
  void aConfidentLexicalRankingIsTrustedAloneAndAnUnsureOneIsFused() {
    java.util.concurrent.atomic.AtomicInteger embedded = new java.util.concurrent.atomic.AtomicInteger();
    dev.sreagent.api.port.Embedder counting = new dev.sreagent.api.port.Embedder() {
      @Override
      public int dimension() {
        return embedder.dimension();
      }

      @Override
      public float[] embed(String text) {
        embedded.incrementAndGet();
        return embedder.embed(text);
      }
    };
    HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(counting);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    String exact = "heap dump before restarting the leaking pod";
    dev.sreagent.api.model.KnowledgeQuery q = new dev.sreagent.api.model.KnowledgeQuery(exact, null,
        java.util.Set.of(), 5);

    embedded.set(0);
    List<String> fused = kb.retrieve(q).stream().map(r -> r.document().id()).toList();
    assertThat(embedded.get()).as("by default the query is embedded and both lists fused").isEqualTo(1);

    kb.setLexicalConfidenceGate(0);  // any margin counts: the lexical ranking alone, whenever it has two results
    embedded.set(0);
    List<String> lexicalOnly = kb.retrieve(q).stream().map(r -> r.document().id()).toList();
    assertThat(embedded.get()).as("a trusted lexical ranking needs no embedding").isZero();
    assertThat(lexicalOnly).first().isEqualTo(fused.get(0));

    kb.setLexicalConfidenceGate(1.01);  // no margin is that large: always fused again
    embedded.set(0);
    assertThat(kb.retrieve(q).stream().map(r -> r.document().id()).toList()).isEqualTo(fused);
    assertThat(embedded.get()).isEqualTo(1);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kb.setLexicalConfidenceGate(-0.1))
        .hasMessageContaining("margin must be >= 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kb.setLexicalConfidenceGate(Double.NaN))
        .hasMessageContaining("but was NaN");
    kb.close();
  }

  @Test
  void oneVectorPerDocumentWhenAskedWhileBm25KeepsTheSections() {
    HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(embedder).setDenseDocuments(true);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(kb.size()).isEqualTo(13);
    assertThat(kb.chunkCount()).as("one vector per runbook").isEqualTo(13);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(kb.chunkCount()).as("unchanged documents are not indexed again").isEqualTo(13);
    assertThat(top(kb, "pod cart-5f7c uses 91% of its memory limit (threshold 85%)", IncidentType.OOM_KILL))
        .isEqualTo("runbook-oom-kill");
    assertThat(top(kb, "certificate of payments expires in 6 days", IncidentType.CERTIFICATE_EXPIRY))
        .isEqualTo("runbook-certificate-expiry");
    assertThat(top(kb, "pods stuck in ErrImagePull after the rollout", null)).isEqualTo("runbook-image-pull-backoff");
    assertThat(HybridKnowledgeBase.leadText(new KnowledgeDocument("d", "KubePodCrashLooping", "body", Map.of())))
        .isEqualTo("kube pod crash looping. body");
    kb.close();
  }

  @Test
  void fusingDocumentsRanksEachDocumentOnceAndStillFindsTheRunbooks() {
    HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(embedder).setFuseDocuments(true);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    List<RetrievedDocument> r = kb.retrieve(new KnowledgeQuery("disk node-1:/var/log is 93% full", null, Set.of(), 13));
    assertThat(r).extracting(d -> d.document().id()).doesNotHaveDuplicates().first()
        .isEqualTo("runbook-disk-exhaustion");
    assertThat(top(kb, "p99 latency of checkout is 1.9 s, baseline 0.2 s", IncidentType.HIGH_LATENCY))
        .isEqualTo("runbook-high-latency");
    assertThat(top(kb, "no such host: lookup orders.shop.svc.cluster.local i/o timeout", null))
        .isEqualTo("runbook-dns-failure");
    kb.close();
  }
}
