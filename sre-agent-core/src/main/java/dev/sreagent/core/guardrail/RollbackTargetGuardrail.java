package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import java.util.Optional;

/** Roll back only from the revision running now, and only to a revision that was healthy. */
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
    return target.get().healthy()
        ? GuardrailVerdict.allow(name(), rb.toRevision() + " ran healthy")
        : GuardrailVerdict.deny(name(), "revision " + rb.toRevision() + " of " + s.name() + " was not healthy");
  }
}
