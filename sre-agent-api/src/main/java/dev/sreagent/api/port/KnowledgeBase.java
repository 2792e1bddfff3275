package dev.sreagent.api.port;

import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import java.util.List;

/** Runbooks and post-mortems, searchable. Implementations must be safe for concurrent reads. */
public interface KnowledgeBase {
  /** Adds or replaces the document with the same id. */
  void upsert(KnowledgeDocument document);

  /** Removes the document with {@code id}; returns whether it existed. */
  boolean remove(String id);

  /** The best matches for {@code query}, best first. */
  List<RetrievedDocument> retrieve(KnowledgeQuery query);

  /** Number of documents held. */
  int size();

  /**
   * Whether a document cited by a diagnosis helped: the agent calls this when the incident resolved (true) or its
   * remediation was rolled back (false). Knowledge bases that rank by usefulness learn from it; the default ignores it.
   */
  default void feedback(String documentId, boolean useful) {}

  /** An empty knowledge base that ignores additions. */
  static KnowledgeBase noop() {
    return new KnowledgeBase() {
      @Override
      public void upsert(KnowledgeDocument document) {}

      @Override
      public boolean remove(String id) {
        return false;
      }

      @Override
      public List<RetrievedDocument> retrieve(KnowledgeQuery query) {
        return List.of();
      }

      @Override
      public int size() {
        return 0;
      }
    };
  }
}
