package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.Detector;
import dev.sreagent.core.audit.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verification: after the actions, the incident's root signal is watched (a quarter worse for a minute, and past the
 * threshold its detector fired at, rolls back at once: an action that made things worse); after the window its detectors must be quiet on the root and every touched service, or the actions' inverses
 * run and the type is demoted. What still fires on other affected services is raised again rather than forgotten.
 */
final class Verifier {
  /** How much worse than at the start of verification the watched signal must get to trigger a rollback. */
  static final double WORSE_FACTOR = 1.25;
  /** How long it must stay that much worse. */
  static final Duration WORSE_FOR = Duration.ofSeconds(60);

  private final LoopContext ctx;
  private final IncidentBook book;
  private final Remediator remediator;
  private final Learner learner;
  private final IncidentIntake intake;

  Verifier(LoopContext ctx, IncidentBook book, Remediator remediator, Learner learner, IncidentIntake intake) {
    this.ctx = ctx;
    this.book = book;
    this.remediator = remediator;
    this.learner = learner;
    this.intake = intake;
  }

  /** Moves {@code inc} to VERIFYING and notes its root signal as the baseline to compare with. */
  static Incident begin(LoopContext ctx, IncidentBook book, Incident inc, Instant now, String why) {
    Incident next = book.move(inc, IncidentState.VERIFYING, now, why);
    IncidentRecord record = book.record(next.id());
    record.verifyingSince = now;
    OptionalDouble base = watchedSignal(ctx, next);
    if (base.isPresent()) {
      record.verifyBaseline = base.getAsDouble();
    }
    return next;
  }

  private static boolean lowerIsWorse(String metric) {
    return metric.equals(MetricNames.CERTIFICATE_TIME_TO_EXPIRY);
  }

  private static @Nullable String watchedMetric(Incident inc) {
    Anomaly a = watchedAnomaly(inc);
    return a == null ? null : a.signal();
  }

  /**
   * The root anomaly whose series tells whether an action made things worse: the first of the incident's type on the
   * root's own series. A call edge's anomaly is not one (its series belong to the callers, not to the root: reading
   * the root's client latency would watch its calls out), so an incident seen only on the calls into its root has
   * none, and only recovery is judged.
   */
  private static @Nullable Anomaly watchedAnomaly(Incident inc) {
    for (Anomaly a : inc.rootAnomalies()) {
      if (a.type().equals(inc.type()) && !a.signal().startsWith("event:")
          && !a.signal().equals(MetricNames.CLIENT_LATENCY_P50) && !a.signal().equals(MetricNames.CLIENT_LATENCY_P99)) {
        return a;
      }
    }
    return null;
  }

  /**
   * Whether {@code cur} is worse than {@code base} by {@link #WORSE_FACTOR} and on the anomalous side of the threshold
   * the root's detector fired at. The threshold matters when verification starts after the fix took effect (an
   * executor that waits for a rollout or a GitOps sync reports done after the cluster recovered): the baseline is then
   * the healthy level, and noise a quarter above 0.05% errors is not an action making things worse.
   */
  private static boolean worse(Anomaly root, double base, double cur) {
    if (lowerIsWorse(root.signal())) {
      return cur * WORSE_FACTOR < base && cur < root.threshold();
    }
    return cur > base * WORSE_FACTOR && cur > root.threshold();
  }

  /** The current value of the incident's root signal: the worst series of that metric on the root service. */
  private static OptionalDouble watchedSignal(LoopContext ctx, Incident inc) {
    String metric = watchedMetric(inc);
    if (metric == null) {
      return OptionalDouble.empty();
    }
    List<Double> values = ctx.windows.latest(inc.rootService(), metric);
    return lowerIsWorse(metric) ? values.stream().mapToDouble(Double::doubleValue).min()
        : values.stream().mapToDouble(Double::doubleValue).max();
  }

  /** One look at {@code inc} while it is VERIFYING. */
  void verify(Incident inc, Instant now) {
    IncidentRecord record = book.record(inc.id());
    if (record.verifyingSince == null) {
      record.verifyingSince = inc.updatedAt();
    }
    Instant since = record.verifyingSince;
    Double base = record.verifyBaseline;
    OptionalDouble current = watchedSignal(ctx, inc);
    Anomaly root = watchedAnomaly(inc);
    if (base != null && current.isPresent() && root != null) {
      String metric = root.signal();
      double cur = current.getAsDouble();
      if (!worse(root, base, cur)) {
        record.worseSince = null;
      } else {
        if (record.worseSince == null) {
          record.worseSince = now;
        }
        Instant from = record.worseSince;
        if (!now.isBefore(from.plus(WORSE_FOR))) {
          String why = String.format(Locale.ROOT, "%s of %s got worse after the action: %.4g -> %.4g for %d s",
              metric, inc.rootService(), base, cur, Duration.between(from, now).toSeconds());
          ctx.audit(new AuditEvent.Verified(inc, AuditEvent.Verified.WORSE, base, cur, null, null));
          rollBack(inc, now, why);
          return;
        }
      }
    }
    if (now.isBefore(since.plus(ctx.settings.verificationWindow()))) {
      return;
    }
    Set<String> watched = new LinkedHashSet<>();
    watched.add(inc.rootService());
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    plan.actions().forEach(a -> watched.add(a.service()));
    List<String> stillFiring = new ArrayList<>();
    for (Detector d : ctx.detectors) {
      if (!d.type().equals(inc.type())) {
        continue;
      }
      for (String s : watched) {
        try {
          if (d.isFiring(s)) {
            stillFiring.add(d.name() + "@" + s);
          }
        } catch (RuntimeException e) {
          ctx.contained("detector " + d.name(), e);
        }
      }
    }
    if (stillFiring.isEmpty()) {
      resolve(inc, watched, now);
      return;
    }
    ctx.audit(new AuditEvent.Verified(inc, AuditEvent.Verified.NOT_RECOVERED, null, null, stillFiring.toString(),
        null));
    rollBack(inc, now, "not recovered after " + ctx.settings.verificationWindow().toMinutes() + " min ("
        + stillFiring + ")");
  }

  /** The root and touched services recovered; what still fires on the other affected services is raised again. */
  private void resolve(Incident inc, Set<String> watched, Instant now) {
    List<Anomaly> lingering = new ArrayList<>();
    for (Anomaly a : inc.anomalies()) {
      if (!watched.contains(a.service()) && ctx.firing(a.type(), a.service())) {
        lingering.add(a);
      }
    }
    book.record(inc.id()).forgetVerification();
    List<String> still = lingering.stream().map(a -> a.type() + "@" + a.service()).distinct().toList();
    String outcome = "verified: " + inc.type() + " signals of " + watched + " recovered within "
        + ctx.settings.verificationWindow().toMinutes() + " min" + (lingering.isEmpty() ? ""
        : "; still firing on " + still + ", raised again");
    Incident done = book.end(inc, IncidentOutcome.RECOVERED, now, outcome);
    ctx.audit(new AuditEvent.Verified(done, AuditEvent.Verified.RECOVERED, null, null, null, still.toString()));
    ctx.emit(IncidentEvent.Kind.RESOLVED, done, outcome + " (time to resolve "
        + Duration.between(done.openedAt(), now).toSeconds() + " s)", now);
    learner.learn(done, now);
    intake.raiseAgain(lingering, now);
  }

  /** Runs the inverse of every action that has one, marks the incident ROLLED_BACK, demotes its type. */
  private void rollBack(Incident inc, Instant now, String why) {
    book.record(inc.id()).forgetVerification();
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    List<String> undone = new ArrayList<>();
    for (Action a : plan.actions()) {
      Optional<Action> inverse = a.inverse();
      if (inverse.isPresent()) {
        undone.add(remediator.runInverse(inc, a, inverse.get(), now));
      }
    }
    String result = why + "; " + (undone.isEmpty() ? "no action has an inverse" : "auto-rollback: " + undone)
        + "; escalated";
    String demotion = learner.demote(inc.type(), inc.rootService(), "remediation of " + inc.id()
        + " did not help: " + why);
    String outcome = demotion.isEmpty() ? result : result + "; " + demotion;
    Incident rolledBack = book.end(inc, IncidentOutcome.ROLLED_BACK, now, outcome);
    ctx.emit(IncidentEvent.Kind.ROLLED_BACK, rolledBack, outcome, now);
    learner.feedback(inc, false);
  }
}
