package dev.sreagent.chatops;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.port.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The approvals a chat adapter waits on and the answers it took: the first answer to a request wins, an answer to a
 * replaced plan, an expired or an ended request decides nothing. Shared by the chat adapters; thread-safe.
 */
final class ChatApprovals {
  /** How many answered incidents and remembered messages an adapter keeps. */
  static final int REMEMBERED = 10_000;

  /**
   * What the agent did: after these it no longer waits for an answer, whoever gave it, and each goes to the thread
   * of the incident's message.
   */
  private static final Set<IncidentEvent.Kind> AGENT_ACTED = Set.of(IncidentEvent.Kind.APPROVED,
      IncidentEvent.Kind.ACTION_EXECUTED, IncidentEvent.Kind.ACTION_FAILED, IncidentEvent.Kind.ACTION_SHADOWED,
      IncidentEvent.Kind.RESOLVED, IncidentEvent.Kind.ROLLED_BACK, IncidentEvent.Kind.ESCALATED);
  /** Incidents whose end asks nothing of a human: no note of their own (OBSERVE's shadow runs, another shard's). */
  private static final Set<@Nullable IncidentOutcome> QUIET = Set.of(IncidentOutcome.OBSERVED,
      IncidentOutcome.OWNED_ELSEWHERE);

  /** What an adapter tells of an event: nothing, a reply in the incident's thread, or a note of its own. */
  enum Notice { NONE, THREAD, NOTE }

  /**
   * What to tell of {@code event}: a reply when the agent acted on an incident whose request the adapter posted
   * ({@code known}), a note of its own when such an incident without a message escalated or rolled back (not OBSERVE's
   * shadow runs, not another shard's); nothing else. When the agent acted, no answer decides the incident any more.
   */
  Notice notice(IncidentEvent event, boolean known) {
    if (!AGENT_ACTED.contains(event.kind())) {
      return Notice.NONE;
    }
    ended(event.incident().id());  // approved (here or elsewhere), acted, or ended
    if (known) {
      return Notice.THREAD;
    }
    boolean alone = (event.kind() == IncidentEvent.Kind.ESCALATED || event.kind() == IncidentEvent.Kind.ROLLED_BACK)
        && !QUIET.contains(event.incident().outcome());
    return alone ? Notice.NOTE : Notice.NONE;
  }

  /** Why an answer decided nothing. */
  enum Stale {
    /** Not waiting any more: answered, expired or closed (or never asked). */
    GONE,
    /** The answer names an older plan than the one waiting. */
    REPLACED,
    /** The request expired. */
    EXPIRED,
    /** Someone answered first. */
    ANSWERED
  }

  /** An answer that decided nothing: why, who answered first ({@link Stale#ANSWERED}), when it expired. */
  record Refusal(Stale why, @Nullable String earlier, @Nullable Instant expiredAt) {}

  private final Clock agentClock;
  private final Map<String, ApprovalRequest> pending = new ConcurrentHashMap<>();
  private final Map<String, String> answered = lru();
  private final ConcurrentLinkedQueue<ApprovalDecision> decisions = new ConcurrentLinkedQueue<>();
  private volatile @Nullable Supplier<List<ApprovalRequest>> agentPending;

  ChatApprovals(Clock agentClock) {
    this.agentClock = agentClock;
  }

  /** Where answers are checked when this adapter does not know the request (one an earlier run posted). */
  void attach(Supplier<List<ApprovalRequest>> source) {
    this.agentPending = Objects.requireNonNull(source, "agentPending");
  }

  /** A new question: the first answer to it wins. */
  void requested(ApprovalRequest request) {
    String id = request.incident().id();
    pending.put(id, request);
    synchronized (answered) {
      answered.remove(id);
    }
  }

  /** The agent acted or the incident ended: no answer decides it any more. */
  void ended(String incidentId) {
    pending.remove(incidentId);
  }

  /** The decisions taken since the last call. */
  List<ApprovalDecision> poll() {
    List<ApprovalDecision> out = new ArrayList<>();
    ApprovalDecision d;
    while ((d = decisions.poll()) != null) {
      out.add(d);
    }
    return out;
  }

  /**
   * Takes {@code user}'s answer to the plan {@code planHash} of {@code incidentId} when that plan still waits and
   * nobody answered it first; the refusal otherwise (nothing decided).
   *
   * @param user who answered, as the chat service names them (the key of the first answer)
   * @param approver who answered, for the decision and the audit log ({@code slack:U0123 (alice)})
   * @param role the role configured for {@code user}
   * @param reason the decision's reason ("approved in Slack")
   */
  @Nullable Refusal answer(String incidentId, String planHash, String user, String approver, String role,
      boolean approve, String reason) {
    ApprovalRequest req = request(incidentId);
    if (req == null) {
      return new Refusal(Stale.GONE, null, null);
    }
    if (!req.planHash().equals(planHash)) {
      return new Refusal(Stale.REPLACED, null, null);
    }
    Instant now = agentClock.now();
    if (now.isAfter(req.expiresAt())) {
      return new Refusal(Stale.EXPIRED, null, req.expiresAt());
    }
    String earlier;
    synchronized (answered) {
      earlier = answered.putIfAbsent(incidentId, user);
    }
    if (earlier != null) {
      return new Refusal(Stale.ANSWERED, earlier, null);
    }
    decisions.add(new ApprovalDecision(incidentId, planHash, approver, role, approve, now, reason));
    return null;
  }

  /** The request {@code incidentId} waits on: this adapter's, else the agent's (a request an earlier run posted). */
  @Nullable ApprovalRequest request(String incidentId) {
    ApprovalRequest req = pending.get(incidentId);
    Supplier<List<ApprovalRequest>> source = agentPending;
    if (req == null && source != null) {
      for (ApprovalRequest r : source.get()) {
        if (r.incident().id().equals(incidentId)) {
          return r;
        }
      }
    }
    return req;
  }

  /** A map that keeps the {@value #REMEMBERED} entries put last. */
  static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > REMEMBERED;
      }
    };
  }
}
