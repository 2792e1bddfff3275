package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event of the transactional outbox: written in the same transaction as the audit record it announces, published
 * at least once by an {@link OutboxRelay}. Consumers de-duplicate by {@link #eventId()}.
 *
 * @param eventId stable and unique ({@link JdbcAuditLog#eventId}); the same on every redelivery
 * @param position the outbox row's id: increasing in commit order of the audit appends
 * @param type the audit record's type (e.g. {@code incident.opened})
 * @param incidentId the incident it is about, or null
 * @param auditSequence the audit record's sequence number, or 0 when the event announces no audit record
 * @param payload the audit record as stored (JSON with its hash; {@code AuditChain.parse} reads it back)
 * @param createdAt when the event was written
 */
public record OutboxEvent(String eventId, long position, String type, @Nullable String incidentId, long auditSequence,
    String payload, Instant createdAt) {
  public OutboxEvent {
    Require.notBlank(eventId, "eventId");
    Require.notBlank(type, "type");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
