package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Map;
import java.util.Objects;

/**
 * A runbook, post-mortem or chunk of one.
 *
 * @param id stable id
 * @param title title
 * @param text body (Markdown)
 * @param metadata for example {@code incident-types=oom-kill,high-latency}, {@code services=cart}, {@code kind=runbook}
 */
public record KnowledgeDocument(String id, String title, String text, Map<String, String> metadata) {
  /** Metadata key: comma-separated incident type names the document is about. */
  public static final String INCIDENT_TYPES = "incident-types";
  /** Metadata key: comma-separated services the document is about. */
  public static final String SERVICES = "services";
  /** Metadata key: {@code runbook} or {@code post-mortem}. */
  public static final String KIND = "kind";

  public KnowledgeDocument {
    Require.notBlank(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(text, "text");
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }
}
