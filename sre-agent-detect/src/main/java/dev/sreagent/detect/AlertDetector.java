package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns external alerts ({@link AlertEvent}, e.g. from an Alertmanager webhook) into anomalies, so that existing
 * alerting can open incidents or enrich the incident a cascade already opened. An alert fires once per fingerprint
 * (Alertmanager repeats firing alerts; repeats are ignored) and clears when resolved or when it has not been
 * repeated for {@code expiry} (default 12 h). The incident type comes from the alert's name and summary: memory /
 * OOM, latency, errors, disk / filesystem / volume space, certificates; anything else is {@link IncidentType#UNKNOWN}
 * (still correlated, diagnosed and escalated). Severity from the {@code severity} label: critical SEV2,
 * warning/error SEV3, else SEV4. At most {@code maxActive} alerts are tracked ({@link BoundedKeyedState}: an alert
 * that fired once makes way before alerts Alertmanager keeps repeating; counted in {@link #evictedStates()}).
 */
public final class AlertDetector implements Detector {
  /** The signal of an alert's anomaly is this prefix and the alert's name. */
  public static final String SIGNAL_PREFIX = "alert:";
  private static final Pattern OOM = Pattern.compile("oom|memory|outofmemory");
  private static final Pattern LATENCY = Pattern.compile("latency|slow|response.?time|p9\\d|duration");
  private static final Pattern ERRORS = Pattern.compile("error|5xx|failure.?rate|errorbudget|burn.?rate");
  private static final Pattern DISK = Pattern.compile("disk|filesystem|volume.*(full|space|filling|usage)"
      + "|inodes|space.?(low|filling)|fillingup");
  private static final Pattern CERT = Pattern.compile("cert|tls|ssl|x509");

  private final Duration expiry;
  /** Firing alerts by fingerprint. */
  private final BoundedKeyedState<String, Active> active;

  private record Active(String service, Instant lastSeen) {}

  /** Alerts expire after 12 h without a repeat; at most 10,000 are tracked. */
  public AlertDetector() {
    this(Duration.ofHours(12), 10_000);
  }

  public AlertDetector(Duration expiry, int maxActive) {
    this.expiry = Require.positive(expiry, "expiry");
    this.active = new BoundedKeyedState<>(Require.atLeast(maxActive, 1, "maxActive"));
  }

  @Override
  public String name() {
    return "external-alert";
  }

  @Override
  public IncidentType type() {
    return IncidentType.UNKNOWN;
  }

  /** The incident type an alert suggests, from its name and summary. */
  public static IncidentType classify(String name, String summary) {
    String text = (name + " " + summary).toLowerCase(Locale.ROOT);
    if (CERT.matcher(text).find()) {
      return IncidentType.CERTIFICATE_EXPIRY;
    }
    if (DISK.matcher(text).find()) {
      return IncidentType.DISK_EXHAUSTION;
    }
    if (OOM.matcher(text).find()) {
      return IncidentType.OOM_KILL;
    }
    if (LATENCY.matcher(text).find()) {
      return IncidentType.HIGH_LATENCY;
    }
    if (ERRORS.matcher(text).find()) {
      return IncidentType.ERROR_RATE_SPIKE;
    }
    return IncidentType.UNKNOWN;
  }

  @Override
  public List<Anomaly> observe(Signal signal) {
    if (!(signal instanceof AlertEvent a)) {
      return List.of();
    }
    expire(a.timestamp());
    if (!a.firing()) {
      active.remove(a.fingerprint());
      return List.of();
    }
    if (active.put(a.fingerprint(), new Active(a.service(), a.timestamp())) != null) {
      return List.of();
    }
    Severity severity = switch (a.severity()) {
      case "critical", "page" -> Severity.SEV2;
      case "warning", "error", "major" -> Severity.SEV3;
      default -> Severity.SEV4;
    };
    double score = severity == Severity.SEV2 ? 1.0 : severity == Severity.SEV3 ? 0.7 : 0.4;
    String resource = a.labels().getOrDefault("pod", a.labels().getOrDefault("instance", a.name()));
    return List.of(new Anomaly(classify(a.name(), a.summary()), a.service(), resource, SIGNAL_PREFIX + a.name(), 1, 1,
        score, severity, a.timestamp(), a.timestamp(), "alert " + a.name() + " (" + words(a.name()) + ") firing: "
        + a.summary()));
  }

  /** {@code KubePodCrashLooping} as {@code Kube Pod Crash Looping}: the words a runbook search can match. */
  static String words(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1 $2")
        .replace('_', ' ');
  }

  /** Alerts not repeated within {@code expiry}, from the least recently seen: O(1) per alert dropped. */
  private void expire(Instant now) {
    Instant cutoff = now.minus(expiry);
    active.expire((fingerprint, a) -> a.lastSeen().isBefore(cutoff));
  }

  @Override
  public boolean isFiring(String service) {
    for (Active a : active.values()) {
      if (a.service().equals(service)) {
        return true;
      }
    }
    return false;
  }

  /** Alerts currently firing. */
  public int activeAlerts() {
    return active.size();
  }

  /** Alerts dropped to make room for new ones because {@code maxActive} were tracked. */
  @Override
  public long evictedStates() {
    return active.evictions();
  }
}
