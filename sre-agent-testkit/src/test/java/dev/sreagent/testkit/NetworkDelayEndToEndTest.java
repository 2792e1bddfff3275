package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.FaultClass;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A chaos test's network delay, end to end through the agent: with the cluster reporting its call edges, a delay on
 * every call into a service (its own latency unchanged, its callers slower) opens one {@code high-latency} incident
 * rooted at that service, first in its ranked candidates as a network delay, diagnosed as one and escalated with no
 * action in any phase; nothing else opens while it lasts.
 */
class NetworkDelayEndToEndTest {
  private static final Duration WARM_UP = Duration.ofMinutes(40);
  private static final Duration LASTING = Duration.ofMinutes(10);

  private static Incident delayOpensOneEscalatedIncident(Phase phase, long seed, Instant start, String service,
      Duration delay) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(seed).setStart(start).setPhase(phase)
        .setEmitCallEdges(true).build()) {
      h.runFor(WARM_UP);
      ChaosAssertions.assertThat(h).openedNoIncident();
      h.inject(new Fault.NetworkDelay(service, delay, LASTING));
      Instant injected = h.clock().now();
      h.runFor(Duration.ofMinutes(30));

      String run = phase + ", seed " + seed + " from " + start + ", " + delay.toMillis() + " ms into " + service;
      ChaosAssertions.assertThat(h)
          .openedIncidents(1)
          .hasIncident(IncidentType.HIGH_LATENCY, service)
          .everyIncidentIn(IncidentState.ESCALATED)
          .executedNothing()
          .violatedNoGuardrail()
          .auditIntact();
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.candidates()).as(run).isNotEmpty();
      assertThat(inc.candidates().get(0).service()).as(run + ": first candidate").isEqualTo(service);
      assertThat(inc.candidates().get(0).faultClass()).as(run).isEqualTo(FaultClass.NETWORK_DELAY);
      assertThat(inc.openedAt()).as(run + ": after the 2-minute sustain, within two more minutes")
          .isAfterOrEqualTo(injected.plus(Duration.ofMinutes(2)))
          .isBefore(injected.plus(Duration.ofMinutes(4)));
      assertThat(inc.diagnosis()).as(run).isNotNull();
      assertThat(inc.diagnosis().top().cause()).as(run).startsWith("network delay into " + service);
      assertThat(inc.plan()).as(run).isNotNull();
      assertThat(inc.plan().actions()).as(run + ": more replicas do not shorten a network path").isEmpty();
      return inc;
    }
  }

  @Test
  void aDelayIntoPaymentsRootsAtPaymentsNotAtItsSlowCaller() {
    Incident inc = delayOpensOneEscalatedIncident(Phase.AUTONOMOUS, 7, VirtualClock.DEFAULT_START, "payments",
        Duration.ofMillis(200));

    assertThat(inc.anomalies()).anySatisfy(a -> assertThat(a.resource()).isEqualTo("checkout->payments"));
    assertThat(inc.evidence()).isNotNull();
    assertThat(inc.evidence().metrics()).as("the slow calls are in the evidence, from the caller's series")
        .anySatisfy(w -> assertThat(w.series()).startsWith("http.client.request.duration.p50{")
            .contains("peer.service=payments,").contains("service.name=checkout,"));
    assertThat(inc.affectedServices()).contains("payments");
  }

  @Test
  void withoutCallEdgesTheSameDelayIsSeenOnlyAtTheCaller() {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(7).setPhase(Phase.OBSERVE).build()) {
      h.runFor(WARM_UP);
      h.inject(new Fault.NetworkDelay("payments", Duration.ofMillis(200), LASTING));
      h.runFor(Duration.ofMinutes(30));
      assertThat(h.agent().incidents()).isNotEmpty()
          .allSatisfy(i -> assertThat(i.rootService()).isNotEqualTo("payments"));
    }
  }

  /**
   * A capacity loss seen on the edges too is not a network delay: after the first incident's scale-out did not help
   * and was rolled back, the calls into payments page again (found in a review): that incident names payments' own
   * slowness, never a delay on the way to it. (Seed 696 failed in CI: the third page came when payments' own p99 had
   * risen x1.46 in the window, under the x1.5 rule, about as much as its callers' median: it is now "slowness in
   * payments or on the way to it", escalated.)
   */
  @Example
  void theCapacityLossThatFailedInCi() {
    aCapacityLossWithCallEdgesIsNeverCalledANetworkDelay(696);
  }

  @Property(tries = 20)
  void aCapacityLossWithCallEdgesIsNeverCalledANetworkDelay(@ForAll @LongRange(min = 1, max = 10_000) long seed) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(seed).setPhase(Phase.AUTONOMOUS)
        .setEmitCallEdges(true).build()) {
      h.runFor(WARM_UP);
      h.inject(new Fault.CapacityLoss("payments", 0.4));
      h.runFor(Duration.ofMinutes(120));
      ChaosAssertions.assertThat(h).everyIncidentRootedAt("payments").noIncidentDiagnosed("network delay");
      assertThat(h.agent().incidents().get(0).diagnosis().top().cause()).startsWith("capacity loss in payments");
    }
  }

  @Test
  void aWholeDayOfCallEdgesWithItsTrafficCycleOpensNothing() {
    // the call edges follow the callees' latency through the daily cycle (+-25% traffic): no edge may page on it
    try (SimulationHarness h = SimulationHarness.builder().setSeed(11).setPhase(Phase.AUTONOMOUS)
        .setEmitCallEdges(true).build()) {
      h.runFor(Duration.ofHours(26));
      ChaosAssertions.assertThat(h).openedNoIncident().executedNothing();
    }
  }

  @Provide
  Arbitrary<String> calledServices() {
    return Arbitraries.of(ShopTopology.services().stream().map(ServiceSpec::name)
        .filter(name -> ShopTopology.services().stream().anyMatch(s -> s.calls().containsKey(name))).toList());
  }

  /**
   * Any called shop service, any seed, hour and phase, a delay from 200 ms to 1 s. (At 100 ms into payments, whose
   * calls take about 50 ms, the incident still roots at payments, but the ranking's 10 ms spread floor scores the rise
   * at about z 10, its threshold, and its list may lead with the slower caller: found by this property.)
   */
  @Property(tries = 40)
  void anyCalledServiceAnySeedAnyHourAnyPhase(@ForAll("calledServices") String service,
      @ForAll @LongRange(min = 1, max = 10_000) long seed, @ForAll @IntRange(min = 0, max = 23) int hour,
      @ForAll @IntRange(min = 200, max = 1_000) int millis, @ForAll Phase phase) {
    delayOpensOneEscalatedIncident(phase, seed, VirtualClock.DEFAULT_START.plus(Duration.ofHours(hour)), service,
        Duration.ofMillis(millis));
  }

  /**
   * Found in review: a short delay (tens of milliseconds) is not a capacity loss either. The root's own p99 moves by
   * its noise from the window's lowest value (some 30 to 40 ms in payments' 150 ms), which the first form of the
   * "the root's own rise explains its callers'" rule compared with the callers' rise in milliseconds: a 70 ms delay
   * was scaled out. Whatever opens for a delay of 30 to 200 ms is called a delay and changes nothing.
   */
  @Property(tries = 40)
  void aShortDelayIsNeverTakenForACapacityLoss(@ForAll("calledServices") String service,
      @ForAll @LongRange(min = 1, max = 10_000) long seed, @ForAll @IntRange(min = 0, max = 23) int hour,
      @ForAll @IntRange(min = 30, max = 200) int millis) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(seed).setPhase(Phase.AUTONOMOUS)
        .setStart(VirtualClock.DEFAULT_START.plus(Duration.ofHours(hour))).setEmitCallEdges(true).build()) {
      h.runFor(WARM_UP);
      h.inject(new Fault.NetworkDelay(service, Duration.ofMillis(millis), LASTING));
      h.runFor(Duration.ofMinutes(30));
      ChaosAssertions.assertThat(h).noIncidentDiagnosed("capacity loss").executedNothing().violatedNoGuardrail();
    }
  }
}
