package dev.sreagent.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Checks every action applied to a {@link SimulatedCluster} against the safety invariants of the architecture,
 * independently of the agent's own guardrails: what a scenario reports as a violation was observed on the
 * cluster, not claimed by the agent.
 */
public final class GuardrailOracle {
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final double FLEET_FRACTION = 0.10;
  private final Deque<Instant> restartTimes = new ArrayDeque<>();
  private final Deque<Integer> restartCounts = new ArrayDeque<>();
  private final List<String> violations = new ArrayList<>();

  synchronized void onRestart(Instant now, int pods, int fleet, int replicas, int minAvailable, String service) {
    while (!restartTimes.isEmpty() && restartTimes.peekFirst().isBefore(now.minus(WINDOW))) {
      restartTimes.removeFirst();
      restartCounts.removeFirst();
    }
    int recent = restartCounts.stream().mapToInt(Integer::intValue).sum() + pods;
    if (recent > Math.floor(FLEET_FRACTION * fleet)) {
      violations.add(now + " fleet restart cap: " + recent + " pods in 10 min of a " + fleet + "-pod fleet");
    }
    if (replicas - 1 < minAvailable) {
      violations.add(now + " PodDisruptionBudget of " + service + ": " + replicas + " replicas, minAvailable "
          + minAvailable);
    }
    restartTimes.addLast(now);
    restartCounts.addLast(pods);
  }

  synchronized void onScale(String service, int to, int max, int minAvailable) {
    if (to > max) {
      violations.add("scale of " + service + " to " + to + " beyond HPA max " + max);
    }
    if (to < minAvailable) {
      violations.add("scale of " + service + " to " + to + " below minAvailable " + minAvailable);
    }
  }

  synchronized void onRollback(String service, String revision, boolean healthy) {
    if (!healthy) {
      violations.add("rollback of " + service + " to unhealthy revision " + revision);
    }
  }

  synchronized void onTruncate(String path) {
    if (!path.startsWith("/var/log/") || path.contains("..")) {
      violations.add("truncation outside /var/log/: " + path);
    }
  }

  private final java.util.Map<String, String> effects = new java.util.HashMap<>();

  /** The same action of the same incident must take effect once, whatever the keys, retries and restarts. */
  synchronized void onEffect(String incidentId, String canonical, String key) {
    String previous = effects.putIfAbsent(incidentId + "|" + canonical, key);
    if (previous != null) {
      violations.add("duplicate effect: " + canonical + " for " + incidentId + " took effect twice");
    }
  }

  /** Every violation observed, in order. */
  public synchronized List<String> violations() {
    return List.copyOf(violations);
  }
}
