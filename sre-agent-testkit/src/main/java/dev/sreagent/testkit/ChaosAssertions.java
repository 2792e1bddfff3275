package dev.sreagent.testkit;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Fluent assertions for chaos tests, in the words a reviewer of an incident uses. Each failure message carries the
 * incidents with their states, roots and outcomes, the actions that took effect and the oracle's findings, so a
 * failed chaos test explains itself:
 *
 * <pre>{@code
 * import static dev.sreagent.testkit.ChaosAssertions.assertThat;
 *
 * h.inject(new Fault.BadDeploy("shipping", 0.2, Duration.ZERO));
 * h.runFor(Duration.ofMinutes(30));
 * assertThat(h).hasIncident(IncidentType.ERROR_RATE_SPIKE, "shipping")
 *     .resolvedWithin(Duration.ofMinutes(15))
 *     .executed("rollback", "shipping")
 *     .violatedNoGuardrail()
 *     .auditIntact();
 * }</pre>
 *
 * Needs no assertion library: a failure is an {@link AssertionError}.
 */
public final class ChaosAssertions {
  private ChaosAssertions() {}

  /** Assertions on what the agent of {@code harness} did so far. */
  public static HarnessAssert assertThat(SimulationHarness harness) {
    return new HarnessAssert(Objects.requireNonNull(harness, "harness"));
  }

  /** The assertions; each returns {@code this}. */
  public static final class HarnessAssert {
    private final SimulationHarness h;

    HarnessAssert(SimulationHarness h) {
      this.h = h;
    }

    private List<Incident> incidents() {
      return h.agent().incidents();
    }

    private List<AppliedAction> applied() {
      return h.cluster().executor().appliedActions();
    }

    private AssertionError fail(String expectation) {
      return new AssertionError("expected " + expectation + ", but\n" + describe());
    }

    /** What happened, for failure messages. */
    public String describe() {
      StringBuilder out = new StringBuilder();
      List<Incident> incidents = incidents();
      out.append("  incidents (").append(incidents.size()).append("):");
      if (incidents.isEmpty()) {
        out.append(" none");
      }
      for (Incident i : incidents) {
        out.append(String.format(Locale.ROOT, "%n    %s %s %s on %s (affecting %s), opened %s, last change %s%s%s",
            i.id(), i.type(), i.state(), i.rootService(), i.affectedServices(), since(i.openedAt()),
            since(i.updatedAt()), cause(i) == null ? "" : ", diagnosed \"" + cause(i) + "\"",
            i.outcome() == null ? "" : ": " + i.outcome() + ", " + i.outcomeReason()));
      }
      List<AppliedAction> applied = applied();
      out.append(String.format(Locale.ROOT, "%n  actions that took effect (%d):", applied.size()));
      if (applied.isEmpty()) {
        out.append(" none");
      }
      for (AppliedAction a : applied) {
        out.append(String.format(Locale.ROOT, "%n    %s %s for %s", since(a.at()), a.action().canonical(),
            a.incidentId()));
      }
      List<String> violations = h.oracle().violations();
      out.append(String.format(Locale.ROOT, "%n  guardrail violations (%d)%s", violations.size(),
          violations.isEmpty() ? "" : ": " + String.join("; ", violations)));
      return out.toString();
    }

    /** The cause of the incident's leading hypothesis, or null before it is diagnosed. */
    private static @org.jspecify.annotations.Nullable String cause(Incident i) {
      return i.diagnosis() == null || i.diagnosis().hypotheses().isEmpty() ? null : i.diagnosis().top().cause();
    }

    /** {@code t} as time since the harness started, e.g. {@code +42m15s}. */
    private String since(Instant t) {
      Duration d = Duration.between(h.start(), t);
      return String.format(Locale.ROOT, "+%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }

    /** No incident was opened (a quiet run: no false alarm). */
    public HarnessAssert openedNoIncident() {
      if (!incidents().isEmpty()) {
        throw fail("no incident");
      }
      return this;
    }

    /** Exactly {@code n} incidents were opened. */
    public HarnessAssert openedIncidents(int n) {
      if (incidents().size() != n) {
        throw fail(n + " incident(s)");
      }
      return this;
    }

    /** An incident of {@code type} rooted at {@code rootService} was opened. */
    public HarnessAssert hasIncident(IncidentType type, String rootService) {
      if (incidents().stream().noneMatch(i -> i.type() == type && i.rootService().equals(rootService))) {
        throw fail("an incident " + type + " rooted at " + rootService);
      }
      return this;
    }

    /** At least one incident was opened and every incident is rooted at {@code rootService}. */
    public HarnessAssert everyIncidentRootedAt(String rootService) {
      if (incidents().isEmpty() || incidents().stream().anyMatch(i -> !i.rootService().equals(rootService))) {
        throw fail("every incident rooted at " + rootService);
      }
      return this;
    }

    /**
     * At least one incident was opened and every incident's leading hypothesis names a cause starting with
     * {@code causePrefix} (e.g. {@code "capacity loss in payments"}; the built-in reasoner's wording, see the README).
     */
    public HarnessAssert everyIncidentDiagnosed(String causePrefix) {
      if (incidents().isEmpty() || incidents().stream().anyMatch(i -> cause(i) == null
          || !cause(i).startsWith(causePrefix))) {
        throw fail("every incident diagnosed \"" + causePrefix + "...\"");
      }
      return this;
    }

    /** No incident's leading hypothesis names a cause starting with {@code causePrefix}. */
    public HarnessAssert noIncidentDiagnosed(String causePrefix) {
      if (incidents().stream().anyMatch(i -> cause(i) != null && cause(i).startsWith(causePrefix))) {
        throw fail("no incident diagnosed \"" + causePrefix + "...\"");
      }
      return this;
    }

    /** Every incident ended in one of {@code states} (none is still active unless listed). */
    public HarnessAssert everyIncidentIn(IncidentState... states) {
      Set<IncidentState> allowed = Set.copyOf(Arrays.asList(states));
      if (incidents().stream().anyMatch(i -> !allowed.contains(i.state()))) {
        throw fail("every incident in " + allowed);
      }
      return this;
    }

    /**
     * At least one incident was opened, every incident is {@code RESOLVED}, and each was resolved within
     * {@code limit} of the fault it followed (the last fault injected before it opened; the start without one).
     */
    public HarnessAssert resolvedWithin(Duration limit) {
      List<Incident> incidents = incidents();
      if (incidents.isEmpty()) {
        throw fail("incidents resolved within " + limit);
      }
      for (Incident i : incidents) {
        if (i.state() != IncidentState.RESOLVED) {
          throw fail("every incident RESOLVED within " + limit + " (" + i.id() + " is " + i.state() + ")");
        }
        Instant from = faultBefore(i.openedAt());
        Duration took = Duration.between(from, i.updatedAt());
        if (took.compareTo(limit) > 0) {
          throw fail("every incident resolved within " + limit + " of its fault (" + i.id() + " took " + took + ")");
        }
      }
      return this;
    }

    private Instant faultBefore(Instant t) {
      Instant from = h.start();
      for (SimulationHarness.InjectedFault f : h.faults()) {
        if (!f.at().isAfter(t) && f.at().isAfter(from)) {
          from = f.at();
        }
      }
      return from;
    }

    /** Nothing took effect on the cluster. */
    public HarnessAssert executedNothing() {
      if (!applied().isEmpty()) {
        throw fail("no action to take effect");
      }
      return this;
    }

    /** An action of {@code kind} (catalog name, e.g. {@code rollback}) took effect on {@code service}. */
    public HarnessAssert executed(String kind, String service) {
      if (applied().stream().noneMatch(a -> a.action().kind().equals(kind) && a.action().service().equals(service))) {
        throw fail(kind + " on " + service + " to take effect (took effect: " + applied().stream()
            .map(a -> a.action().canonical()).collect(Collectors.joining(", ")) + ")");
      }
      return this;
    }

    /** No action of {@code kind} took effect on {@code service}. */
    public HarnessAssert didNotExecute(String kind, String service) {
      if (applied().stream().anyMatch(a -> a.action().kind().equals(kind) && a.action().service().equals(service))) {
        throw fail("no " + kind + " on " + service);
      }
      return this;
    }

    /**
     * The cluster's independent oracle saw no broken promise: numeric limits, blast radius, kill switch and
     * freezes, nothing applied twice, approvals valid.
     */
    public HarnessAssert violatedNoGuardrail() {
      if (!h.oracle().violations().isEmpty()) {
        throw fail("no guardrail violation");
      }
      return this;
    }

    /** The agent's audit log verifies (chain, head and, when keyed, every HMAC). */
    public HarnessAssert auditIntact() {
      var v = h.agent().auditLog().verify();
      if (!v.intact()) {
        throw fail("an intact audit log (" + v + ")");
      }
      return this;
    }
  }
}
