package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import java.util.Optional;

/**
 * Roll back only from the revision running now, and only to a revision that was healthy.
 *
 * <p>One exception, off by default ({@link GuardrailLimits#withRevertOfOwnRollbacks}; meant for executors that carry
 * the revert out as a proposal a human applies, such as the GitOps executor's pull request), for the inverse of the
 * agent's own rollback: when the agent's verification finds that its
 * rollback of this incident did not help, the inverse rolls the workload "forward" again to the revision the agent
 * rolled back from, which was not healthy. That is allowed only when the history holds, for the same incident, the
 * exact opposite rollback ({@code RollBack(service, to, from)}, executed by this agent) and the workload still runs the
 * revision that rollback restored: the inverse restores the state before the agent's own change, it does not pick a
 * new unhealthy target. A plan (or another incident) rolling to an unhealthy revision is still denied.
 */
public final class RollbackTargetGuardrail extends BuiltInGuardrail {
  private final boolean revertOwnRollbacks;

  /** Without the exception: a rollback to an unhealthy revision is always denied. */
  public RollbackTargetGuardrail() {
    this(false);
  }

  /** With the exception for the inverse of the agent's own rollback when {@code revertOwnRollbacks}. */
  public RollbackTargetGuardrail(boolean revertOwnRollbacks) {
    this.revertOwnRollbacks = revertOwnRollbacks;
  }
  @Override
  public String name() {
    return "rollback-to-healthy";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    if (!(p.action() instanceof Action.RollBack rb)) {
      return GuardrailVerdict.allow(name(), "not a rollback");
    }
    Optional<ServiceInfo> info = p.topology().service(rb.service());
    if (info.isEmpty()) {
      return GuardrailVerdict.deny(name(), "service '" + rb.service() + "' is unknown");
    }
    ServiceInfo s = info.get();
    if (!s.currentRevision().equals(rb.fromRevision())) {
      return GuardrailVerdict.deny(name(), s.name() + " runs " + s.currentRevision() + ", not "
          + rb.fromRevision() + "; the plan is stale");
    }
    Optional<Revision> target = s.revision(rb.toRevision());
    if (target.isEmpty()) {
      return GuardrailVerdict.deny(name(), "revision " + rb.toRevision() + " is not in the history of " + s.name());
    }
    if (target.get().healthy()) {
      return GuardrailVerdict.allow(name(), rb.toRevision() + " ran healthy");
    }
    String unhealthy = "revision " + rb.toRevision() + " of " + s.name() + " was not healthy";
    if (!revertOwnRollbacks) {
      return GuardrailVerdict.deny(name(), unhealthy);
    }
    Action undone = new Action.RollBack(rb.service(), rb.toRevision(), rb.fromRevision());
    boolean undoesOwn = p.history().stream()
        .anyMatch(e -> e.incidentId().equals(p.incident().id()) && e.action().equals(undone));
    return undoesOwn
        ? GuardrailVerdict.allow(name(), unhealthy + ", but (revert of own rollbacks allowed by the policy)"
            + " this restores the state before the agent's own " + undone.canonical() + " for incident "
            + p.incident().id() + " (its inverse)")
        : GuardrailVerdict.deny(name(), unhealthy);
  }
}
