package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A retrieval request.
 *
 * @param text free text (alert summary, evidence)
 * @param type the incident type, used to filter and boost, or null
 * @param services services involved, used to boost
 * @param limit at most this many results
 */
public record KnowledgeQuery(String text, @Nullable IncidentType type, Set<String> services, int limit) {
  public KnowledgeQuery {
    Objects.requireNonNull(text, "text");
    services = Set.copyOf(Objects.requireNonNull(services, "services"));
    Require.atLeast(limit, 1, "limit");
  }
}
