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
 * <p>One exception, for the inverse of the agent's own rollback: when the agent's verification finds that its
 * rollback of this incident did not help, the inverse rolls the workload "forward" again to the revision the agent
 * rolled back from, which was not healthy. That is allowed only when the history holds, for the same incident, the
 * exact opposite rollback ({@code RollBack(service, to, from)}, executed by this agent) and the workload still runs the
 * revision that rollback restored: the inverse restores the state before the agent's own change, it does not pick a
 * new unhealthy target. A plan (or another incident) rolling to an unhealthy revision is still denied.
 */
public final class RollbackTargetGuardrail extends BuiltInGuardrail {
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
    Action undone = new Action.RollBack(rb.service(), rb.toRevision(), rb.fromRevision());
    boolean undoesOwn = p.history().stream()
        .anyMatch(e -> e.incidentId().equals(p.incident().id()) && e.action().equals(undone));
    return undoesOwn
        ? GuardrailVerdict.allow(name(), "revision " + rb.toRevision() + " of " + s.name() + " was not healthy, but"
            + " this restores the state before the agent's own " + undone.canonical() + " for incident "
            + p.incident().id() + " (its inverse)")
        : GuardrailVerdict.deny(name(), "revision " + rb.toRevision() + " of " + s.name() + " was not healthy");
  }
}
