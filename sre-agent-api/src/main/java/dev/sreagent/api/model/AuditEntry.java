package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller appends to the audit log; the log adds the sequence number and the hash chain.
 *
 * @param timestamp when it happened
 * @param type record type, for example {@code action.executed}
 * @param incidentId the incident, or null for agent-wide records
 * @param actor who did it: {@code agent} or a human's id
 * @param data details; values are plain strings (JSON documents where structured)
 */
public record AuditEntry(Instant timestamp, String type, @Nullable String incidentId, String actor,
    Map<String, String> data) {
  public AuditEntry {
    Objects.requireNonNull(timestamp, "timestamp");
    Require.notBlank(type, "type");
    Require.notBlank(actor, "actor");
    data = Map.copyOf(Objects.requireNonNull(data, "data"));
  }
}
