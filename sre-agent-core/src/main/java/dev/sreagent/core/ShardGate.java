package dev.sreagent.core;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Digests;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.shard.ShardMembership;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.audit.SharedAuditLog;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sharding: which incidents this agent acts on when several agents share the work ({@link ShardMembership}).
 *
 * <p><b>The rule.</b> Every agent detects and correlates (they read the same telemetry), so every agent keeps the
 * same incidents, with the same ids ({@link #idFor}: derived from the first anomaly, not from a counter). An incident
 * is <em>owned</em> by the owner of the service of its <em>first anomaly</em>, written into its id at open
 * ({@link #shardKey}): that service is fixed for the incident's life and the same on every agent, whereas the root
 * service changes as a cascade is correlated and diagnosed (and only the owner diagnoses). So a cascade that spans
 * services of two owners has one owner: the owner of the service where it was first seen. An incident split off
 * during the investigation (which only the owner runs) keeps its parent's service, hence its owner. Only the owner moves an incident past OPEN: investigates,
 * diagnoses, decides, asks approval, acts, verifies, and notifies ({@link LoopContext#emit} is silent for the
 * others). A non-owner keeps its copy OPEN, as observed, and closes it ({@link IncidentOutcome#OWNED_ELSEWHERE}) once
 * the incident's services stayed quiet for {@link #quietBeforeClosing} (long enough that the owner has ended its own).
 *
 * <p><b>Takeover.</b> When ownership moves (the owner died, its lease ran out), the new owner takes its observed
 * copy over at its next tick, audited, and walks it through the loop from OPEN (unless the incident's services are
 * quiet by then: the previous owner handled it, and the copy is closed as {@link IncidentOutcome#OWNED_ELSEWHERE}); before the first attempt of each
 * action it asks the executor for that idempotency key's result ({@code reconcile}), so an action the dead owner left
 * in flight is completed, not repeated, when the new owner plans the same action
 * (a sharded agent asks before every first attempt, so this holds across its own restarts too) (same incident id, same canonical
 * action, so the same key). The target's lock, held by the dead owner until its lease runs out, keeps the new owner
 * off the target meanwhile.
 *
 * <p><b>With a shared audit trail</b> ({@link SharedAuditLog}: every agent appends to one chain) the new owner first
 * reads what the previous owner recorded of the incident: one it had ended is closed here as handled there (not taken
 * over, however its services look); one it left remediating or verifying is resumed from its record, so the action it
 * ran just before it died is found by its key and recorded as reconciled, even when the services are quiet by then
 * (its action worked) and even if this agent's own diagnosis would have planned something else.
 *
 * <p>Without a membership, this agent owns everything and nothing here changes its behaviour.
 */
final class ShardGate {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);

  private final LoopContext ctx;
  private final IncidentBook book;
  private final @Nullable ShardMembership membership;
  /** Observed (not owned) incidents, with since when none of their services fired (null while one fires). */
  private final Map<String, @Nullable Instant> observed = new HashMap<>();

  ShardGate(LoopContext ctx, IncidentBook book, @Nullable ShardMembership membership) {
    this.ctx = ctx;
    this.book = book;
    this.membership = membership;
  }

  /** Whether agents share the work. */
  boolean sharded() {
    return membership != null;
  }

  /**
   * The service whose owner owns {@code inc}: the one named in its id after {@code @} (see {@link #idFor}); for an
   * incident opened without sharding, the service of its first anomaly (or its root).
   */
  static String shardKey(Incident inc) {
    int at = inc.id().indexOf('@');
    if (at >= 0 && at < inc.id().length() - 1) {
      return inc.id().substring(at + 1);
    }
    return inc.anomalies().isEmpty() ? inc.rootService() : inc.anomalies().get(0).service();
  }

  /** Whether this agent owns {@code inc} now (always, without a membership). */
  boolean owns(Incident inc) {
    return membership == null || membership.owns(shardKey(inc));
  }

  /**
   * The id of a new incident opened by {@code first} and owned by the owner of {@code shardService}: the same on every
   * agent that saw the same anomaly; {@code INC-}, 12 hex digits of the anomaly's digest, {@code -2}, {@code -3}...
   * when {@code taken} (a follow-up of the same anomaly episode), then {@code @} and the service. The service is in
   * the id so that ownership is fixed at open, survives restarts and is the same on every agent, however the
   * incident's anomalies and root change later (correlation, a split).
   */
  static String idFor(Anomaly first, String shardService, Predicate<String> taken) {
    String base = "INC-" + Digests.sha256(first.key() + "@" + first.startedAt()).substring(0, 12);
    String candidate = base + "@" + shardService;
    for (int n = 2; taken.test(candidate); n++) {
      candidate = base + "-" + n + "@" + shardService;
    }
    return candidate;
  }

  /**
   * Whether this agent moves {@code inc} on in this tick. A non-owned incident is observed (and closed after a long
   * quiet); an observed incident that is owned now is taken over: audited (its actions are reconciled before their first
   * attempt, as every sharded agent's are: see {@code Remediator}).
   */
  boolean acts(Incident inc, Instant now) {
    if (membership == null) {
      return true;
    }
    String key = shardKey(inc);
    boolean quiet = inc.affectedServices().stream().noneMatch(s -> ctx.firing(inc.type(), s))
        && !ctx.firing(inc.type(), inc.rootService());
    if (membership.owns(key)) {
      if (observed.containsKey(inc.id())) {
        observed.remove(inc.id());
        PreviousOwner left = previousOwner(inc);
        if (left != null && left.incident.state().isTerminal()) {
          book.end(inc, IncidentOutcome.OWNED_ELSEWHERE, now, "ended by " + left.writer + ", the previous owner of "
              + key + ", as " + left.incident.state() + " (" + left.incident.outcome() + ") at " + left.at
              + " before it left: not taken over");
          return false;
        }
        if (left != null && (left.incident.state() == IncidentState.REMEDIATING
            || left.incident.state() == IncidentState.VERIFYING)) {
          return adopt(inc, left, key, now);
        }
        if (quiet) {
          // its previous owner handled it before it left (its services recovered): nothing to take over
          book.end(inc, IncidentOutcome.OWNED_ELSEWHERE, now, "owned by the previous owner of " + key + ", which"
              + " left; its services are quiet, so it was handled there: not taken over");
          return false;
        }
        String why = "taken over by " + membership.self() + ": owner of " + key + " now (live members "
            + membership.liveMembers() + ")";
        LOG.info("{} {}", inc.id(), why);
        ctx.audit(new AuditEvent.IncidentUpdated(inc, why, null, null));
      }
      return true;
    }
    if (!observed.containsKey(inc.id())) {
      observed.put(inc.id(), null);
      LOG.info("{} on {} is owned by {}; this agent ({}) observes it and takes no action", inc.id(), key,
          membership.ownerOf(key), membership.self());
    }
    Instant since = observed.get(inc.id());
    if (!quiet) {
      observed.put(inc.id(), null);
    } else if (since == null) {
      observed.put(inc.id(), now);
    } else if (!now.isBefore(since.plus(quietBeforeClosing()))) {
      observed.remove(inc.id());
      book.end(inc, IncidentOutcome.OWNED_ELSEWHERE, now, "owned by " + membership.ownerOf(key) + " (owner of " + key
          + "); observed here, quiet since " + since);
    }
    return false;
  }

  /** What another agent recorded of an incident it owned: its last snapshot past OPEN, by whom and when. */
  private record PreviousOwner(String writer, Incident incident, Instant at, @Nullable String approvedPlanHash) {}

  /**
   * The last snapshot of {@code inc} past OPEN that another agent wrote to a shared audit trail
   * ({@link SharedAuditLog}; only an owner moves an incident past OPEN, and observers end their copies as
   * {@code OWNED_ELSEWHERE}), or null: no shared trail, nothing recorded, or the trail cannot be read (then the
   * takeover goes on as without a shared trail).
   */
  private @Nullable PreviousOwner previousOwner(Incident inc) {
    if (!(ctx.audit instanceof SharedAuditLog shared)) {
      return null;
    }
    PreviousOwner last = null;
    String approved = null;
    try {
      for (AuditRecord r : shared.recordsAbout(inc.id())) {
        String writer = SharedAuditLog.writerOf(r);
        if (writer == null || writer.equals(shared.writer())) {
          continue;
        }
        AuditEvent event = AuditEvents.fromRecord(r);
        if (event instanceof AuditEvent.ApprovalGranted g) {
          approved = g.planHash(); // the approval its plan got, as the start-up replay restores it
        }
        if (event instanceof AuditEvent.AboutIncident about
            && about.incident().state() != IncidentState.OPEN
            && about.incident().outcome() != IncidentOutcome.OWNED_ELSEWHERE) {
          last = new PreviousOwner(writer, about.incident(), r.entry().timestamp(), null);
        }
      }
    } catch (RuntimeException e) {
      ctx.contained("reading the shared audit trail of " + inc.id(), e);
      return null;
    }
    return last == null ? null : new PreviousOwner(last.writer, last.incident, last.at, approved);
  }

  /**
   * Takes {@code inc} over where its previous owner left it, remediating or verifying: its recorded snapshot (the
   * plan it decided, approved where it had to be) becomes this agent's copy, audited. From the next tick the remediation
   * goes on, and every action of the plan is first reconciled by its idempotency key (a sharded agent always asks), so
   * one that took effect before the owner died is recorded as reconciled and never run again; verification restarts
   * its window.
   */
  private boolean adopt(Incident copy, PreviousOwner left, String key, Instant now) {
    Incident inc = left.incident;
    ctx.store.save(inc);
    book.record(inc.id()).approvedPlanHash = left.approvedPlanHash;
    if (inc.state() == IncidentState.VERIFYING) {
      book.record(inc.id()).verifyingSince = now;
    }
    String why = "taken over by " + Objects.requireNonNull(membership).self() + ": owner of " + key + " now (live"
        + " members " + membership.liveMembers() + "); resumed from the shared audit trail, where " + left.writer
        + " left it " + inc.state() + " at " + left.at + " (this agent's copy was " + copy.state() + "); its actions"
        + " are reconciled by their idempotency keys before any attempt";
    LOG.info("{} {}", inc.id(), why);
    ctx.audit(new AuditEvent.IncidentUpdated(inc, why, null, null));
    return false; // moved on from the next tick, from the adopted state
  }

  /**
   * How long an observed incident's services must stay quiet before this agent closes its copy: longer than the
   * owner can take to end its own (investigation, approval, two verification windows), at least an hour. Closing
   * later is safe (the copy only takes part in correlation); closing earlier could let a new symptom open a new
   * incident here that the owner joins to its own.
   */
  Duration quietBeforeClosing() {
    AgentSettings s = ctx.settings;
    Duration d = s.investigationDelay().plus(s.approvalTimeout()).plus(s.verificationWindow().multipliedBy(2));
    return d.compareTo(Duration.ofHours(1)) < 0 ? Duration.ofHours(1) : d;
  }
}
