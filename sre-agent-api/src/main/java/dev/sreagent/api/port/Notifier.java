package dev.sreagent.api.port;

import dev.sreagent.api.event.IncidentEvent;

/** Receives every incident event: ChatOps, pagers, the dashboard, logs. Must not block or throw. */
@FunctionalInterface
public interface Notifier {
  /** Handles one event. */
  void notify(IncidentEvent event);

  /** Ignores everything. */
  static Notifier noop() {
    return event -> {};
  }
}
