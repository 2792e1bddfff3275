package dev.sreagent.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.rag.lucene.LuceneKnowledgeBase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneKnowledgeBaseTest {
  private static final KnowledgeDocument CRASH = new KnowledgeDocument("pr:KubePodCrashLooping",
      "KubePodCrashLooping", "# KubePodCrashLooping\n\nPod is in CrashLoop: the container keeps restarting.",
      Map.of(KnowledgeDocument.KIND, "runbook"));
  private static final KnowledgeDocument DISK = new KnowledgeDocument("pr:NodeFilesystemAlmostOutOfSpace",
      "NodeFilesystemAlmostOutOfSpace", "The filesystem is almost full. Free space by rotating logs.",
      Map.of(KnowledgeDocument.INCIDENT_TYPES, "disk-exhaustion"));

  private static List<String> ids(List<RetrievedDocument> r) {
    return r.stream().map(d -> d.document().id()).toList();
  }

  @Test
  void storedDocumentsAreReadByIdAllAtOnceOrOneByOne() {
    try (LuceneKnowledgeBase kb = LuceneKnowledgeBase.inMemory()) {
      kb.upsertAll(List.of(CRASH, DISK));
      assertThat(kb.getAll(List.of(DISK.id(), "unknown", CRASH.id(), DISK.id())))
          .containsOnlyKeys(CRASH.id(), DISK.id()).containsEntry(DISK.id(), DISK).containsEntry(CRASH.id(), CRASH);
      assertThat(kb.getAll(List.of())).isEmpty();
      assertThat(kb.get(CRASH.id())).isEqualTo(CRASH);
      assertThat(kb.get("unknown")).isNull();
      assertThat(kb.all()).containsExactlyInAnyOrder(CRASH, DISK);
      kb.remove(CRASH.id());
      assertThat(kb.all()).containsExactly(DISK);
    }
  }

  @Test
  void camelCaseAlertNamesMatchProseAndTheOtherWayRound() {
    try (LuceneKnowledgeBase kb = LuceneKnowledgeBase.inMemory()) {
      kb.upsert(CRASH);
      kb.upsert(DISK);
      assertThat(ids(kb.retrieve(new KnowledgeQuery("pod crash looping", null, Set.of(), 2))).get(0))
          .isEqualTo("pr:KubePodCrashLooping");
      assertThat(ids(kb.retrieve(new KnowledgeQuery("NodeFilesystemAlmostOutOfSpace", null, Set.of(), 2))).get(0))
          .isEqualTo("pr:NodeFilesystemAlmostOutOfSpace");
      RetrievedDocument top = kb.retrieve(new KnowledgeQuery("crash", null, Set.of(), 1)).get(0);
      assertThat(top.document().title()).isEqualTo("KubePodCrashLooping");
      assertThat(top.document().metadata()).containsEntry(KnowledgeDocument.KIND, "runbook");
    }
  }

  @Test
  void theIncidentTypeBoostsDocumentsAboutIt() {
    try (LuceneKnowledgeBase kb = LuceneKnowledgeBase.inMemory()) {
      kb.upsert(CRASH);
      kb.upsert(DISK);
      assertThat(ids(kb.retrieve(new KnowledgeQuery("container restarting space", IncidentType.DISK_EXHAUSTION,
          Set.of(), 2))).get(0)).isEqualTo("pr:NodeFilesystemAlmostOutOfSpace");
    }
  }

  @Test
  void upsertReplacesRemoveForgetsAndADirectoryKeepsItAll(@TempDir Path dir) {
    try (LuceneKnowledgeBase kb = LuceneKnowledgeBase.open(dir)) {
      kb.upsert(CRASH);
      kb.upsert(DISK);
      kb.upsert(new KnowledgeDocument(CRASH.id(), "KubePodCrashLooping", "rewritten: zebra", Map.of()));
      assertThat(kb.size()).isEqualTo(2);
      assertThat(ids(kb.retrieve(new KnowledgeQuery("zebra", null, Set.of(), 5)))).containsExactly(CRASH.id());
      assertThat(kb.remove(DISK.id())).isTrue();
      assertThat(kb.remove(DISK.id())).isFalse();
    }
    try (LuceneKnowledgeBase reopened = LuceneKnowledgeBase.open(dir)) {
      assertThat(reopened.size()).isEqualTo(1);
      assertThat(ids(reopened.retrieve(new KnowledgeQuery("zebra", null, Set.of(), 5)))).containsExactly(CRASH.id());
    }
  }

  @Test
  void anAlertBecomesQueryTextWithoutLabelValues() {
    String q = AlertQuery.text("KubePodCrashLooping", "Pod is crash looping.", "Pod orders/x-1 is waiting.",
        Map.of("pod", "x-1", "namespace", "orders"),
        "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1");
    assertThat(q).contains("KubePodCrashLooping").contains("Pod is crash looping.")
        .contains("kube pod container status waiting reason").doesNotContain("max over time");
    assertThat(AlertQuery.splitCamel("KubePodCrashLooping")).isEqualTo("kube pod crash looping");
  }
}
