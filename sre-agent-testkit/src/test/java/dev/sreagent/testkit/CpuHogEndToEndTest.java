package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A chaos test's CPU hog, end to end through the agent (AUTONOMOUS; every phase in the property): one pod of a
 * service at its CPU limit, traffic unchanged, opens one {@code cpu-saturation} incident on that service five minutes
 * later, with that service first in its ranked candidates; the agent escalates it and takes no action, and nothing
 * else opens while the hog runs on for an hour.
 */
class CpuHogEndToEndTest {
  private static final Duration WARM_UP = Duration.ofMinutes(40);
  private static final Duration AFTER = Duration.ofMinutes(60);

  /** Runs the hog on {@code service} and checks everything the class promises; returns the incident. */
  private static Incident hogOpensOneEscalatedCpuIncident(Phase phase, long seed, Instant start, String service,
      double share) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(seed).setStart(start).setPhase(phase).build()) {
      h.runFor(WARM_UP);
      ChaosAssertions.assertThat(h).openedNoIncident();
      h.inject(new Fault.CpuHog(service, share));
      String hot = h.cluster().podNodes(service).keySet().iterator().next();
      Instant injected = h.clock().now();
      h.runFor(AFTER);

      ChaosAssertions.assertThat(h)
          .openedIncidents(1)
          .hasIncident(IncidentType.CPU_SATURATION, service)
          .everyIncidentIn(IncidentState.ESCALATED)
          .executedNothing()
          .violatedNoGuardrail()
          .auditIntact();
      Incident inc = h.agent().incidents().get(0);
      String run = phase + ", seed " + seed + " from " + start + ", hog on " + service + " at " + share;
      assertThat(inc.candidates()).as(run).isNotEmpty();
      assertThat(inc.candidates().get(0).service()).as(run + ": first candidate").isEqualTo(service);
      assertThat(inc.anomalies()).as(run).allSatisfy(a -> {
        assertThat(a.type()).isEqualTo(IncidentType.CPU_SATURATION);
        assertThat(a.resource()).as("the hot pod").isEqualTo(hot);
      });
      assertThat(inc.openedAt()).as(run + ": after the 5-minute sustain, within two more minutes")
          .isAfterOrEqualTo(injected.plus(Duration.ofMinutes(5)))
          .isBefore(injected.plus(Duration.ofMinutes(7)));
      assertThat(inc.plan()).as(run).isNotNull();
      assertThat(inc.plan().actions()).as(run + ": no catalog action fits").isEmpty();
      assertThat(h.cluster().replicas(service)).as(run).isEqualTo(ShopTopology.services().stream()
          .filter(s -> s.name().equals(service)).findFirst().orElseThrow().replicas());
      return inc;
    }
  }

  @Test
  void aHotCatalogPodIsEscalatedWithCatalogFirstAndItsRunbookCited() {
    Incident inc = hogOpensOneEscalatedCpuIncident(Phase.AUTONOMOUS, 7, VirtualClock.DEFAULT_START, "catalog", 0.6);

    assertThat(inc.diagnosis()).isNotNull();
    assertThat(inc.diagnosis().top().cause()).startsWith("CPU saturation of catalog pods [");
    assertThat(inc.diagnosis().top().citations()).first()
        .satisfies(c -> assertThat(c.documentId()).isEqualTo("runbook-cpu-saturation"));
    assertThat(inc.outcomeReason()).contains("no action in the catalog fits");
  }

  @Provide
  Arbitrary<String> shopServices() {
    return Arbitraries.of(ShopTopology.services().stream().map(ServiceSpec::name).toList());
  }

  /**
   * A loop that wants 95% of the limit or more pins any shop pod at its limit (each pod serves at least about 10% of
   * it at the quietest hour), whatever the pod's usual level; the agent escalates it in every phase.
   */
  @Property(tries = 10)
  void anyServiceAnySeedAnyHourAnyPhase(@ForAll("shopServices") String service, @ForAll @LongRange(min = 1,
      max = 10_000) long seed, @ForAll @IntRange(min = 0, max = 23) int hour, @ForAll @DoubleRange(min = 0.95,
      max = 1.0) double share, @ForAll Phase phase) {
    hogOpensOneEscalatedCpuIncident(phase, seed, VirtualClock.DEFAULT_START.plus(Duration.ofHours(hour)), service,
        share);
  }
}
