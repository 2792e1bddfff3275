package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertDetectorTest {
  private static final Instant T0 = Instant.parse("2026-11-29T03:00:00Z");

  private static AlertEvent alert(String name, boolean firing, Instant at, String fingerprint) {
    return new AlertEvent(at, "payments", name, firing, "critical", Map.of("alertname", name), name + " summary",
        fingerprint);
  }

  @Test
  void classifiesCommonAlertNamesIntoTheFiveTypes() {
    assertThat(AlertDetector.classify("KubeContainerOOMKilled", "")).isEqualTo(IncidentType.OOM_KILL);
    assertThat(AlertDetector.classify("ContainerMemoryNearLimit", "")).isEqualTo(IncidentType.OOM_KILL);
    assertThat(AlertDetector.classify("HighRequestLatency", "")).isEqualTo(IncidentType.HIGH_LATENCY);
    assertThat(AlertDetector.classify("APIHighP99", "p99 of checkout above 2s")).isEqualTo(IncidentType.HIGH_LATENCY);
    assertThat(AlertDetector.classify("HighErrorRate", "")).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
    assertThat(AlertDetector.classify("ErrorBudgetBurn", "")).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
    assertThat(AlertDetector.classify("NodeFilesystemSpaceFillingUp", "")).isEqualTo(IncidentType.DISK_EXHAUSTION);
    assertThat(AlertDetector.classify("KubePersistentVolumeFillingUp", "")).isEqualTo(IncidentType.DISK_EXHAUSTION);
    assertThat(AlertDetector.classify("CertManagerCertExpirySoon", "")).isEqualTo(IncidentType.CERTIFICATE_EXPIRY);
    assertThat(AlertDetector.classify("SSLCertificateExpiringSoon", "")).isEqualTo(IncidentType.CERTIFICATE_EXPIRY);
    assertThat(AlertDetector.classify("KubePodCrashLooping", "pod is restarting")).isEqualTo(IncidentType.UNKNOWN);
  }

  @Test
  void firesOncePerFingerprintUntilResolvedAndExpiresWithoutRepeats() {
    AlertDetector d = new AlertDetector(Duration.ofHours(12), 100);
    assertThat(d.observe(alert("KubeContainerOOMKilled", true, T0, "f1"))).singleElement().satisfies(a -> {
      assertThat(a.type()).isEqualTo(IncidentType.OOM_KILL);
      assertThat(a.severity()).isEqualTo(Severity.SEV2);
      assertThat(a.signal()).isEqualTo("alert:KubeContainerOOMKilled");
      assertThat(a.summary()).startsWith("alert KubeContainerOOMKilled (Kube Container OOM Killed) firing: ");
    });
    assertThat(d.observe(alert("KubeContainerOOMKilled", true, T0.plusSeconds(3600), "f1"))).isEmpty();
    assertThat(d.isFiring("payments")).isTrue();
    assertThat(d.observe(alert("KubeContainerOOMKilled", false, T0.plusSeconds(7200), "f1"))).isEmpty();
    assertThat(d.isFiring("payments")).isFalse();
    assertThat(d.observe(alert("KubeContainerOOMKilled", true, T0.plusSeconds(7300), "f1"))).hasSize(1);
    d.observe(alert("Other", true, T0.plusSeconds(7300).plus(Duration.ofHours(13)), "f2"));
    assertThat(d.activeAlerts()).as("f1 not repeated for 12 h expired").isEqualTo(1);
  }

  @Test
  void trackedAlertsAreBounded() {
    AlertDetector d = new AlertDetector(Duration.ofHours(12), 10);
    for (int i = 0; i < 1000; i++) {
      d.observe(alert("A" + i, true, T0, "f" + i));
    }
    assertThat(d.activeAlerts()).isEqualTo(10);
  }

  @Test
  void anAlertThatKeepsFiringSurvivesABurstOfOneOffAlerts() {
    AlertDetector d = new AlertDetector(Duration.ofHours(12), 100);
    d.observe(new AlertEvent(T0, "cart", "KubeContainerOOMKilled", true, "critical", Map.of(), "OOM", "real"));
    d.observe(new AlertEvent(T0.plusSeconds(60), "cart", "KubeContainerOOMKilled", true, "critical", Map.of(), "OOM",
        "real")); // Alertmanager repeats a firing alert
    for (int i = 0; i < 10_000; i++) {
      d.observe(alert("Junk" + i, true, T0.plusSeconds(120), "junk-" + i));
    }
    assertThat(d.isFiring("cart")).as("the repeated alert is still firing").isTrue();
    assertThat(d.activeAlerts()).isEqualTo(100);
    assertThat(d.evictedStates()).isEqualTo(10_000 - 99);
    // alerts not repeated for 12 h expire, the repeated one included
    d.observe(alert("Late", true, T0.plus(Duration.ofHours(13)), "late"));
    assertThat(d.activeAlerts()).isEqualTo(1);
    assertThat(d.isFiring("cart")).isFalse();
  }
}
