package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.KnowledgeBase;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KnowledgeBase} promises: a document added is found by a query in its words; the same id
 * replaces; removal is reported once; results are best first and at most as many as asked; feedback never fails;
 * concurrent reads are safe.
 */
public abstract class KnowledgeBaseContract {
  /** A fresh, empty knowledge base. */
  protected abstract KnowledgeBase create();

  static KnowledgeDocument runbook(String id, String title, String text, IncidentType type) {
    return new KnowledgeDocument(id, title, text, Map.of(KnowledgeDocument.KIND, "runbook",
        KnowledgeDocument.INCIDENT_TYPES, type.name()));
  }

  private static KnowledgeBase withThree(KnowledgeBase kb) {
    kb.upsert(runbook("kafka-lag", "Kafka consumer lag", "# Kafka consumer lag\n\n## Steps\n1. Scale the consumer"
        + " group.\n2. Check partitions for a hot key.", IncidentType.HIGH_LATENCY));
    kb.upsert(runbook("tls-renew", "TLS certificate renewal", "# TLS certificate renewal\n\n## Steps\n1. Trigger"
        + " renewal through cert-manager.", IncidentType.CERTIFICATE_EXPIRY));
    kb.upsert(runbook("disk-full", "Disk full on a node", "# Disk full on a node\n\n## Steps\n1. Truncate rotated"
        + " logs under /var/log.", IncidentType.DISK_EXHAUSTION));
    return kb;
  }

  @Test
  void aDocumentIsFoundByItsWordsBestFirst() {
    KnowledgeBase kb = withThree(create());
    List<RetrievedDocument> found = kb.retrieve(new KnowledgeQuery("consumer group lag on kafka partitions", null,
        Set.of(), 2));
    assertFalse(found.isEmpty(), "nothing found");
    assertTrue(found.size() <= 2, "at most as many as asked: " + found.size());
    assertEquals("kafka-lag", found.get(0).document().id());
    for (int i = 1; i < found.size(); i++) {
      assertTrue(found.get(i - 1).score() >= found.get(i).score(), "best first");
    }
  }

  @Test
  void theSameIdReplacesAndRemovalIsReportedOnce() {
    KnowledgeBase kb = withThree(create());
    assertEquals(3, kb.size());
    kb.upsert(runbook("tls-renew", "TLS certificate renewal", "# TLS\n\n## Steps\n1. Call the issuer's ACME"
        + " endpoint for a fresh certificate.", IncidentType.CERTIFICATE_EXPIRY));
    assertEquals(3, kb.size(), "replaced, not added");
    List<RetrievedDocument> found = kb.retrieve(new KnowledgeQuery("ACME issuer fresh certificate", null, Set.of(),
        1));
    assertEquals("tls-renew", found.get(0).document().id());
    assertTrue(found.get(0).document().text().contains("ACME"), "the new text is served");
    assertTrue(kb.remove("tls-renew"));
    assertFalse(kb.remove("tls-renew"), "removed once");
    assertEquals(2, kb.size());
  }

  @Test
  void feedbackNeverFailsEvenForUnknownDocuments() {
    KnowledgeBase kb = withThree(create());
    kb.feedback("kafka-lag", true);
    kb.feedback("kafka-lag", false);
    kb.feedback("no-such-document", true);
    assertEquals(3, kb.size());
  }

  @Test
  void concurrentReadsAreSafe() throws Exception {
    KnowledgeBase kb = withThree(create());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<RetrievedDocument>>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        answers.add(pool.submit(() -> kb.retrieve(new KnowledgeQuery("disk full truncate logs", null, Set.of(), 1))));
      }
      for (Future<List<RetrievedDocument>> a : answers) {
        assertEquals("disk-full", a.get().get(0).document().id());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
