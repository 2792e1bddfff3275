package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.audit.AuditEvent;
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
    return saved(inc, IncidentLifecycle.transition(inc, to, now), why, now);
  }

  /** Ends {@code inc} with {@code outcome}: saved, audited, traced. */
  Incident end(Incident inc, IncidentOutcome outcome, Instant now, String why) {
    Incident ended = saved(inc, IncidentLifecycle.end(inc, outcome, why, now), why, now);
    records.remove(ended.id());
    return ended;
  }

  private Incident saved(Incident before, Incident next, String why, Instant now) {
    ctx.store.save(next);
    ctx.audit(new AuditEvent.StateChanged(next, before.state(), next.state(), why));
    ctx.telemetry.transition(next, why, now);
    return next;
  }

  /** Hands {@code inc} to humans: it ends with {@code outcome} for {@code why}. */
  void escalate(Incident inc, IncidentOutcome outcome, Instant now, String why) {
    Incident escalated = end(inc, outcome, now, why);
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
