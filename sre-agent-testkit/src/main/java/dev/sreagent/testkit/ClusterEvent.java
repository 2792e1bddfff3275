package dev.sreagent.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Something that happens to a simulated cluster or its agent during a scenario that is not a fault the agent should
 * find: a routine deploy, an operator engaging the kill switch or declaring a change freeze, someone else scaling a
 * service. Schedule it with {@link SimulationHarness#schedule(Duration, ClusterEvent)} or
 * {@link Scenario.Builder#event(Duration, ClusterEvent)}; write your own with {@link #of(String, Consumer)}.
 */
public interface ClusterEvent {
  /** Short description for timelines and reports. */
  String describe();

  /** Makes it happen now. */
  void apply(SimulationHarness harness);

  /** A custom event. */
  static ClusterEvent of(String description, Consumer<SimulationHarness> action) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(action, "action");
    return new ClusterEvent() {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public void apply(SimulationHarness harness) {
        action.accept(harness);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  /** A routine, healthy rollout of {@code service} (a new revision, pods replaced, a deploy event). */
  static ClusterEvent deploy(String service) {
    return of("routine deploy of " + service, h -> h.cluster().deployHealthy(service));
  }

  /** An operator engages the agent's kill switch. */
  static ClusterEvent engageKillSwitch(String reason) {
    return of("kill switch engaged: " + reason, h -> h.agent().killSwitch().engage(reason));
  }

  /** An operator releases the agent's kill switch. */
  static ClusterEvent releaseKillSwitch() {
    return of("kill switch released", h -> h.agent().killSwitch().release());
  }

  /** An operator declares a change freeze {@code name} from now for {@code duration} (audited by the agent). */
  static ClusterEvent freeze(String name, Duration duration) {
    return of("change freeze '" + name + "' for " + duration.toMinutes() + " min",
        h -> h.agent().declareFreeze(name, duration, "chaos-test", "scheduled by the scenario"));
  }

  /** Someone other than the agent scales {@code service} to {@code replicas}. */
  static ClusterEvent scaleExternally(String service, int replicas) {
    return of("external scale of " + service + " to " + replicas,
        h -> h.cluster().scaleExternally(service, replicas));
  }
}
