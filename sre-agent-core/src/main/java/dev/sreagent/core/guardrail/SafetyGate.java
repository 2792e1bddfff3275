package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.model.SafetyDecision.Outcome;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.Guardrail;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Combines the phase rules with every guardrail verdict into one decision for a plan. Stateless.
 *
 * <ul>
 *   <li>An empty plan, a plan that repeats an action, or any DENY verdict: {@code DENY} (escalate to humans), in
 *       every phase.
 *   <li>OBSERVE: {@code SHADOW} — intended actions are recorded, nothing runs.
 *   <li>ASSIST: {@code NEEDS_APPROVAL}.
 *   <li>AUTONOMOUS: {@code NEEDS_APPROVAL} for SEV1/SEV2 or when a guardrail asks for one, otherwise
 *       {@code EXECUTE}.
 * </ul>
 *
 * <p>A guardrail that throws is treated as a DENY that names it: a broken policy never lets an action through.
 */
public final class SafetyGate {
  private final List<Guardrail> guardrails;

  public SafetyGate(List<Guardrail> guardrails) {
    this.guardrails = List.copyOf(guardrails);
  }

  /** The built-in chain for {@code limits}, plus {@code extra} guardrails. */
  public static SafetyGate builtIn(GuardrailLimits limits, KillSwitch killSwitch, Set<String> customActionKinds,
      List<Guardrail> extra) {
    return builtIn(limits, killSwitch, new ChangeFreezes(limits.freezeWindows()), customActionKinds, extra);
  }

  /**
   * The built-in chain for {@code limits} with {@code freezes} (which should hold the policy's freeze windows and
   * those declared at run time), plus {@code extra} guardrails.
   */
  public static SafetyGate builtIn(GuardrailLimits limits, KillSwitch killSwitch, ChangeFreezes freezes,
      Set<String> customActionKinds, List<Guardrail> extra) {
    List<Guardrail> chain = new ArrayList<>();
    chain.add(new KillSwitchGuardrail(killSwitch));
    chain.add(new ActionCatalogGuardrail(customActionKinds));
    chain.add(new IncidentScopeGuardrail(limits.scopeExceptions()));
    chain.add(new ChangeFreezeGuardrail(freezes));
    chain.add(new FleetRestartCapGuardrail(limits.maxFleetRestartFraction(), limits.restartWindow()));
    chain.add(new PodDisruptionBudgetGuardrail());
    chain.add(new RestartWaveGuardrail(limits.restartWave()));
    chain.add(new ScaleCeilingGuardrail(limits.maxReplicas()));
    chain.add(new RollbackTargetGuardrail(limits.revertsOwnRollbacks()));
    chain.add(new TruncationAllowListGuardrail(limits.truncationAllowList()));
    chain.add(new CooldownGuardrail(limits.cooldown()));
    chain.add(new RateLimitGuardrail(limits.maxActionsPerHour(), limits.maxActionsPerNamespacePerHour()));
    chain.add(new ConfidenceGuardrail(limits.minConfidenceForAutonomy()));
    chain.addAll(extra);
    return new SafetyGate(chain);
  }

  /** The guardrails, in evaluation order. */
  public List<Guardrail> guardrails() {
    return guardrails;
  }

  /**
   * Decides for {@code plan}.
   *
   * @param approved true when an authorised human has approved exactly this plan (approval satisfies the phase and
   *     NEEDS_APPROVAL verdicts, never a DENY)
   */
  public SafetyDecision decide(Incident incident, RemediationPlan plan, Phase phase, Topology topology,
      List<ExecutedAction> history, Instant now, boolean approved) {
    Objects.requireNonNull(plan, "plan");
    if (plan.actions().isEmpty()) {
      return new SafetyDecision(Outcome.DENY, phase, List.of(),
          "no action in the catalog fits this diagnosis; escalating to humans");
    }
    Set<String> seen = new java.util.HashSet<>();
    for (Action a : plan.actions()) {
      if (!seen.add(a.canonical())) {
        GuardrailVerdict v = GuardrailVerdict.deny("action-catalog", "the plan repeats " + a.canonical()
            + ": an action runs at most once per incident");
        return new SafetyDecision(Outcome.DENY, phase, List.of(v), "denied by action-catalog: " + v.reason());
      }
    }
    List<GuardrailVerdict> verdicts = new ArrayList<>();
    List<ExecutedAction> simulated = new ArrayList<>(history);
    for (int i = 0; i < plan.actions().size(); i++) {
      Action action = plan.actions().get(i);
      ProposedAction proposal = new ProposedAction(action, incident, topology, simulated, now);
      for (Guardrail g : guardrails) {
        verdicts.add(evaluateSafely(g, proposal));
      }
      // later actions of the same plan see the earlier ones as executed (caps add up)
      simulated.add(new ExecutedAction(action, incident.id(), now, "planned-" + i));
    }
    List<GuardrailVerdict> denials = verdicts.stream()
        .filter(v -> v.verdict() == GuardrailVerdict.Verdict.DENY).toList();
    if (!denials.isEmpty()) {
      GuardrailVerdict first = denials.get(0);
      return new SafetyDecision(Outcome.DENY, phase, verdicts,
          "denied by " + first.policy() + ": " + first.reason());
    }
    if (phase == Phase.OBSERVE) {
      return new SafetyDecision(Outcome.SHADOW, phase, verdicts,
          "phase OBSERVE for " + incident.type() + ": intended actions recorded, nothing executed");
    }
    if (approved) {
      return new SafetyDecision(Outcome.EXECUTE, phase, verdicts, "approved by a human; guardrails allow");
    }
    if (phase == Phase.ASSIST) {
      return new SafetyDecision(Outcome.NEEDS_APPROVAL, phase, verdicts,
          "phase ASSIST for " + incident.type() + ": a human must approve");
    }
    if (incident.severity().alwaysNeedsApproval()) {
      return new SafetyDecision(Outcome.NEEDS_APPROVAL, phase, verdicts,
          incident.severity() + " always needs a human approval");
    }
    for (GuardrailVerdict v : verdicts) {
      if (v.verdict() == GuardrailVerdict.Verdict.NEEDS_APPROVAL) {
        return new SafetyDecision(Outcome.NEEDS_APPROVAL, phase, verdicts,
            v.policy() + " asks for approval: " + v.reason());
      }
    }
    return new SafetyDecision(Outcome.EXECUTE, phase, verdicts,
        "phase AUTONOMOUS, " + incident.severity() + ", every guardrail allows");
  }

  /**
   * Decides again for one {@code action} of an already decided plan, right before an attempt to run it: the kill
   * switch, freezes, locks, caps, topology and phase may all have changed since the plan was decided (a retry after a
   * failed attempt, a target that was locked, an agent restarted mid-remediation). Earlier actions of the plan that
   * ran are in {@code history}.
   */
  public SafetyDecision recheck(Incident incident, Action action, Phase phase, Topology topology,
      List<ExecutedAction> history, Instant now, boolean approved) {
    return decide(incident, new RemediationPlan(incident.id(), List.of(action), "re-check before an attempt"), phase,
        topology, history, now, approved);
  }

  private static GuardrailVerdict evaluateSafely(Guardrail g, ProposedAction p) {
    String name;
    try {
      name = g.name();
    } catch (RuntimeException e) {
      name = g.getClass().getName();
    }
    try {
      GuardrailVerdict v = g.evaluate(p);
      return v != null ? v : GuardrailVerdict.deny(name, "guardrail returned no verdict");
    } catch (RuntimeException e) {
      return GuardrailVerdict.deny(name, "guardrail failed: " + e);
    }
  }
}
