package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.ProposedAction;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The blast radius of an incident bounds its plan: whoever proposed it (the catalog planner, a custom planner, a
 * language model), an action may only touch
 * <ul>
 *   <li>the incident's root and affected services, and services this incident already changed (so its own
 *       auto-rollback is never refused);
 *   <li>for a scale-out, a direct dependency of one of those when the diagnosis's top hypothesis names it;
 *   <li>a service a named {@link ScopeException} of the policy allows (the verdict quotes the exception, so its use is
 *       audited).
 * </ul>
 * Inside the radius, an action is also bound to the incident's resources: a certificate renewal only for a
 * certificate one of its anomalies names, a log truncation only on a host and path (or below it) one of its disk
 * anomalies names.
 */
public final class IncidentScopeGuardrail extends BuiltInGuardrail {
  private final List<ScopeException> exceptions;

  /** With the policy's exceptions (none by default). */
  public IncidentScopeGuardrail(List<ScopeException> exceptions) {
    this.exceptions = List.copyOf(exceptions);
  }

  @Override
  public String name() {
    return "incident-scope";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    Incident inc = p.incident();
    Action a = p.action();
    Set<String> radius = new TreeSet<>(inc.affectedServices());
    radius.add(inc.rootService());
    Set<String> changed = new TreeSet<>();
    for (ExecutedAction e : p.history()) {
      if (e.incidentId().equals(inc.id())) {
        changed.add(e.action().service());
      }
    }
    String service = a.service();
    String exception = exceptionFor(a);
    if (radius.contains(service) || changed.contains(service)) {
      String problem = resourceProblem(a, inc);
      if (problem == null) {
        return GuardrailVerdict.allow(name(), service + " is in the blast radius of " + inc.id() + " " + radius
            + (radius.contains(service) ? "" : " (changed by this incident)"));
      }
      return exception != null ? allowedBy(exception, problem) : GuardrailVerdict.deny(name(), problem);
    }
    Diagnosis d = inc.diagnosis();
    if (a instanceof Action.ScaleReplicas sc && sc.toReplicas() > sc.fromReplicas() && d != null
        && namedByDiagnosis(d, service)) {
      for (String s : radius) {
        if (p.topology().dependenciesOf(s).contains(service)) {
          return GuardrailVerdict.allow(name(), "scale-out of " + service + ", a direct dependency of " + s
              + " that the diagnosis names: '" + d.top().cause() + "'");
        }
      }
    }
    String outside = a.canonical() + " acts on " + service + ", outside the blast radius of " + inc.id() + " "
        + radius;
    if (exception != null) {
      return allowedBy(exception, outside);
    }
    return GuardrailVerdict.deny(name(), outside + "; a policy scopeExceptions entry can allow it by name");
  }

  private GuardrailVerdict allowedBy(String exception, String why) {
    return GuardrailVerdict.allow(name(), why + "; allowed by scope exception '" + exception + "'");
  }

  private @Nullable String exceptionFor(Action a) {
    for (ScopeException e : exceptions) {
      if (e.covers(a.kind(), a.service())) {
        return e.name();
      }
    }
    return null;
  }

  /** Why {@code a} touches a resource the incident does not name, or null when it does not. */
  private static @Nullable String resourceProblem(Action a, Incident inc) {
    if (a instanceof Action.RenewCertificate rc) {
      Set<String> certificates = resources(inc, IncidentType.CERTIFICATE_EXPIRY);
      return certificates.contains(rc.certificate()) ? null : "certificate '" + rc.certificate() + "' is not one "
          + inc.id() + "'s anomalies name " + certificates;
    }
    if (a instanceof Action.TruncateLogs t) {
      Set<String> disks = resources(inc, IncidentType.DISK_EXHAUSTION);
      String path = Path.of(t.path()).normalize().toString();
      for (String disk : disks) {
        int colon = disk.indexOf(':');
        if (colon > 0 && disk.substring(0, colon).equals(t.host())) {
          String base = Path.of(disk.substring(colon + 1)).normalize().toString();
          if (path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/")) {
            return null;
          }
        }
      }
      return "logs " + t.host() + ":" + t.path() + " are not on a disk " + inc.id() + "'s anomalies name " + disks;
    }
    return null;
  }

  private static Set<String> resources(Incident inc, IncidentType type) {
    Set<String> out = new TreeSet<>();
    for (Anomaly an : inc.anomalies()) {
      if (an.type().equals(type)) {
        out.add(an.resource());
      }
    }
    return out;
  }

  private static boolean namedByDiagnosis(Diagnosis d, String service) {
    if (d.hypotheses().isEmpty()) {
      return false;
    }
    String cause = d.top().cause().toLowerCase(Locale.ROOT);
    return Pattern.compile("(^|[^a-z0-9-])" + Pattern.quote(service.toLowerCase(Locale.ROOT)) + "($|[^a-z0-9-])")
        .matcher(cause).find();
  }
}
