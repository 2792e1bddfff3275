package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.lifecycle.IncidentLifecycle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of incidents: their ids, every state change (checked against the state machine, saved, audited,
 * traced) and the {@link IncidentRecord} of each active incident, dropped when it ends.
 */
final class IncidentBook {
  private final LoopContext ctx;
  private final Map<String, IncidentRecord> records = new HashMap<>();
  private long lastId;

  IncidentBook(LoopContext ctx) {
    this.ctx = ctx;
  }

  /** The record of incident {@code id}, created when first needed. */
  IncidentRecord record(String id) {
    return records.computeIfAbsent(id, k -> new IncidentRecord());
  }

  /** The record of incident {@code id}, or null when it has none. */
  @Nullable IncidentRecord peek(String id) {
    return records.get(id);
  }

  /** The id of the next incident: {@code INC-0001}, {@code INC-0002}, ... */
  String nextId() {
    return String.format(Locale.ROOT, "INC-%04d", ++lastId);
  }

  /** After a replay: the next id follows the {@code count} incidents already known. */
  void continueAfter(long count) {
    lastId = count;
  }

  /** {@code inc} moved to {@code to}: checked, saved, audited with {@code why}, traced. */
  Incident move(Incident inc, IncidentState to, Instant now, String why) {
    Incident next = IncidentLifecycle.transition(inc, to, now);
    if (to.isTerminal()) {
      records.remove(next.id());
    }
    ctx.store.save(next);
    ctx.audit(AuditTypes.INCIDENT_STATE, next, Map.of("from", inc.state().name(), "to", to.name(), "reason", why));
    ctx.telemetry.transition(next, why, now);
    return next;
  }

  /** Hands {@code inc} to humans with {@code why}. */
  void escalate(Incident inc, Instant now, String why) {
    Incident escalated = move(inc.withOutcome(why, now), IncidentState.ESCALATED, now, why);
    ctx.emit(IncidentEvent.Kind.ESCALATED, escalated, why, now);
  }

  /** The approval requests waiting for a human, oldest incident first. */
  List<ApprovalRequest> pendingApprovals() {
    List<ApprovalRequest> out = new ArrayList<>();
    for (Incident inc : ctx.store.active()) {
      IncidentRecord r = records.get(inc.id());
      if (r != null && r.pendingApproval != null) {
        out.add(r.pendingApproval);
      }
    }
    return out;
  }
}
