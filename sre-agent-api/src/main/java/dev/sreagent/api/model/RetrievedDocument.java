package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Objects;

/**
 * A retrieval hit.
 *
 * @param document the document or chunk
 * @param score relevance; higher is better, comparable within one result list
 */
public record RetrievedDocument(KnowledgeDocument document, double score) {
  public RetrievedDocument {
    Objects.requireNonNull(document, "document");
    Require.finite(score, "score");
  }
}
