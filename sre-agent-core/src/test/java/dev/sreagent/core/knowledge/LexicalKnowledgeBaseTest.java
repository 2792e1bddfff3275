package dev.sreagent.core.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LexicalKnowledgeBaseTest {
  @Test
  void bundledRunbooksCoverEveryBuiltInType() {
    LexicalKnowledgeBase kb = LexicalKnowledgeBase.withBundledRunbooks();
    assertThat(kb.size()).isGreaterThanOrEqualTo(5);
    for (IncidentType t : new IncidentType[] {IncidentType.OOM_KILL, IncidentType.HIGH_LATENCY,
        IncidentType.ERROR_RATE_SPIKE, IncidentType.DISK_EXHAUSTION, IncidentType.CERTIFICATE_EXPIRY}) {
      var top = kb.retrieve(new KnowledgeQuery("alert for " + t.name(), t, Set.of(), 3));
      assertThat(top).isNotEmpty();
      assertThat(top.get(0).document().metadata().get(KnowledgeDocument.INCIDENT_TYPES)).contains(t.name());
    }
  }

  @Test
  void lexicalMatchWinsWithoutATypeHint() {
    LexicalKnowledgeBase kb = LexicalKnowledgeBase.withBundledRunbooks();
    var top = kb.retrieve(new KnowledgeQuery("pod OOMKilled exit code 137 memory limit", null, Set.of(), 1));
    assertThat(top).singleElement().satisfies(r -> assertThat(r.document().id()).isEqualTo("runbook-oom-kill"));
  }

  @Test
  void upsertReplacesAndRemoveForgets() {
    LexicalKnowledgeBase kb = new LexicalKnowledgeBase();
    kb.upsert(new KnowledgeDocument("d1", "zebra", "zebra crossing", Map.of()));
    kb.upsert(new KnowledgeDocument("d1", "giraffe", "giraffe neck", Map.of()));
    assertThat(kb.size()).isEqualTo(1);
    assertThat(kb.retrieve(new KnowledgeQuery("zebra", null, Set.of(), 5))).isEmpty();
    assertThat(kb.retrieve(new KnowledgeQuery("giraffe", null, Set.of(), 5))).hasSize(1);
    assertThat(kb.remove("d1")).isTrue();
    assertThat(kb.retrieve(new KnowledgeQuery("giraffe", null, Set.of(), 5))).isEmpty();
  }
}
