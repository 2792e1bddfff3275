package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Objects;

/**
 * A knowledge document a hypothesis relied on.
 *
 * @param documentId the document's id in the knowledge base
 * @param title its title
 * @param excerpt the passage used
 * @param score retrieval score
 */
public record Citation(String documentId, String title, String excerpt, double score) {
  public Citation {
    Require.notBlank(documentId, "documentId");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(excerpt, "excerpt");
    Require.finite(score, "score");
  }
}
