package dev.sreagent.testkit;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.port.Notifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/** Formats incident events as timeline lines stamped with simulated time since {@code origin}: {@code T+01:23:45}. */
public final class TimelinePrinter implements Notifier {
  private final Instant origin;
  private final Consumer<String> out;

  public TimelinePrinter(Instant origin, Consumer<String> out) {
    this.origin = Objects.requireNonNull(origin, "origin");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** {@code T+hh:mm:ss} of {@code at} relative to {@code origin}. */
  public static String stamp(Instant origin, Instant at) {
    long s = Duration.between(origin, at).toSeconds();
    return String.format(Locale.ROOT, "T+%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  @Override
  public void notify(IncidentEvent e) {
    out.accept(String.format(Locale.ROOT, "  %s  %-8s %-19s %s", stamp(origin, e.at()), e.incident().id(),
        e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.message()));
  }
}
