package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An alert raised by another monitoring system (for example Prometheus through an Alertmanager webhook). A firing
 * alert can open an incident or enrich an open one; a resolved alert clears it.
 *
 * @param timestamp when the alert started (firing) or ended (resolved)
 * @param service the service the alert is about ({@value Attributes#UNKNOWN_SERVICE} when its labels do not say)
 * @param name the alert name ({@code alertname} label)
 * @param firing true while firing, false once resolved
 * @param severity the {@code severity} label, lower case ({@code critical}, {@code warning}, {@code info}, ...)
 * @param labels all labels
 * @param summary the {@code summary} (or {@code description}) annotation, or the name
 * @param fingerprint identity of the alert across notifications
 */
public record AlertEvent(Instant timestamp, String service, String name, boolean firing, String severity,
    Map<String, String> labels, String summary, String fingerprint) implements Signal {
  public AlertEvent {
    Objects.requireNonNull(timestamp, "timestamp");
    Require.notBlank(service, "service");
    Require.notBlank(name, "name");
    Objects.requireNonNull(severity, "severity");
    labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    Objects.requireNonNull(summary, "summary");
    Require.notBlank(fingerprint, "fingerprint");
  }
}
