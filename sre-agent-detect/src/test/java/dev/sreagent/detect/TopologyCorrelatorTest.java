package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.Correlation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopologyCorrelatorTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final Topology SHOP = new Topology(Map.of(), Set.of(
      new Topology.Dependency("frontend", "checkout"), new Topology.Dependency("checkout", "payments"),
      new Topology.Dependency("frontend", "catalog")));

  private static Anomaly err(String service, IncidentType type) {
    return new Anomaly(type, service, service, "m", 0.3, 0.02, 0.8, Severity.SEV3, T, T, service);
  }

  @Test
  void aCascadeBecomesOneIncidentRootedAtTheMostDownstreamService() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident inc = Incident.open("INC-1", err("frontend", IncidentType.ERROR_RATE_SPIKE), "frontend", T);
    Correlation r1 = c.correlate(err("checkout", IncidentType.ERROR_RATE_SPIKE), List.of(inc), SHOP, T);
    assertThat(r1).isInstanceOf(Correlation.Attach.class);
    inc = inc.withAnomaly(err("checkout", IncidentType.ERROR_RATE_SPIKE), ((Correlation.Attach) r1).rootService(),
        IncidentType.ERROR_RATE_SPIKE, T);
    Correlation r2 = c.correlate(err("payments", IncidentType.HIGH_LATENCY), List.of(inc), SHOP, T);
    assertThat(r2).isInstanceOfSatisfying(Correlation.Attach.class, a -> {
      assertThat(a.rootService()).isEqualTo("payments");
      assertThat(a.type()).isEqualTo(IncidentType.HIGH_LATENCY);
    });
  }

  @Test
  void unrelatedServicesAndResourceTypesOpenTheirOwnIncidents() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident inc = Incident.open("INC-1", err("payments", IncidentType.ERROR_RATE_SPIKE), "payments", T);
    assertThat(c.correlate(err("catalog", IncidentType.ERROR_RATE_SPIKE), List.of(inc), SHOP, T))
        .isInstanceOf(Correlation.OpenNew.class);
    assertThat(c.correlate(err("checkout", IncidentType.DISK_EXHAUSTION), List.of(inc), SHOP, T))
        .isInstanceOf(Correlation.OpenNew.class);
  }

  @Test
  void cpuSaturationJoinsTheIncidentOfItsServiceAndNeverTakesTheTypeOfASymptom() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident slow = Incident.open("INC-1", err("checkout", IncidentType.HIGH_LATENCY), "checkout", T);
    assertThat(c.correlate(err("checkout", IncidentType.CPU_SATURATION), List.of(slow), SHOP, T))
        .isInstanceOfSatisfying(Correlation.Attach.class, a -> {
          assertThat(a.incidentId()).isEqualTo("INC-1");
          assertThat(a.rootService()).isEqualTo("checkout");
          assertThat(a.type()).isEqualTo(IncidentType.HIGH_LATENCY);
        });
    // a cause does not travel along calls: CPU on a neighbour is its own incident
    assertThat(c.correlate(err("payments", IncidentType.CPU_SATURATION), List.of(slow), SHOP, T))
        .isInstanceOf(Correlation.OpenNew.class);
  }

  @Test
  void aSymptomOnTheServiceOfAnOpenCpuIncidentJoinsAndRetypesIt() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident hot = Incident.open("INC-1", err("checkout", IncidentType.CPU_SATURATION), "checkout", T);
    assertThat(c.correlate(err("checkout", IncidentType.HIGH_LATENCY), List.of(hot), SHOP, T))
        .isInstanceOfSatisfying(Correlation.Attach.class,
            a -> assertThat(a.type()).as("saturated and slow: scaled out").isEqualTo(IncidentType.HIGH_LATENCY));
    assertThat(c.correlate(err("frontend", IncidentType.HIGH_LATENCY), List.of(hot), SHOP, T))
        .as("a caller's symptom is not this cause's").isInstanceOf(Correlation.OpenNew.class);
    Incident diagnosed = new Incident(hot.id(), hot.type(), hot.severity(),
        dev.sreagent.api.model.IncidentState.DIAGNOSED, hot.rootService(), hot.affectedServices(), hot.anomalies(), T,
        T, null, null, null, null, null);
    assertThat(c.correlate(err("checkout", IncidentType.HIGH_LATENCY), List.of(diagnosed), SHOP, T))
        .as("once diagnosed the symptom gets an incident of its own, and its remedy")
        .isInstanceOf(Correlation.OpenNew.class);
  }

  private static final Topology CHAIN = new Topology(Map.of(), Set.of(new Topology.Dependency("s1", "s2"),
      new Topology.Dependency("s2", "s3"), new Topology.Dependency("s3", "s4"), new Topology.Dependency("s4", "s5")));

  @Test
  void aCallerAnyNumberOfHopsUpJoinsAsASymptom() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident inc = Incident.open("INC-1", err("s4", IncidentType.HIGH_LATENCY), "s4", T)
        .withAnomaly(err("s5", IncidentType.HIGH_LATENCY), "s5", IncidentType.HIGH_LATENCY, T);
    assertThat(c.correlate(err("s1", IncidentType.HIGH_LATENCY), List.of(inc), CHAIN, T))
        .isInstanceOfSatisfying(Correlation.Attach.class, a -> assertThat(a.rootService()).isEqualTo("s5"));
  }

  @Test
  void aServiceBelowTheRootAnyNumberOfHopsDownBecomesTheRoot() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident inc = Incident.open("INC-1", err("s1", IncidentType.HIGH_LATENCY), "s1", T);
    assertThat(c.correlate(err("s4", IncidentType.HIGH_LATENCY), List.of(inc), CHAIN, T))
        .isInstanceOfSatisfying(Correlation.Attach.class, a -> assertThat(a.rootService()).isEqualTo("s4"));
    assertThat(c.correlate(err("s4", IncidentType.DISK_EXHAUSTION), List.of(inc), CHAIN, T))
        .as("not a symptom that travels along calls").isInstanceOf(Correlation.OpenNew.class);
  }

  @Test
  void oldIncidentsDoNotAbsorbNewAnomalies() {
    TopologyCorrelator c = new TopologyCorrelator();
    Incident inc = Incident.open("INC-1", err("payments", IncidentType.ERROR_RATE_SPIKE), "payments", T);
    assertThat(c.correlate(err("payments", IncidentType.ERROR_RATE_SPIKE), List.of(inc), SHOP,
        T.plus(TopologyCorrelator.DEFAULT_WINDOW).plusSeconds(1))).isInstanceOf(Correlation.OpenNew.class);
  }
}
