package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.aws.AwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.acm.AcmClient;

/** ACM certificates as telemetry and their renewal, through the real SDK against the emulator. */
class AcmTest {
  private static final Clock FAST = Emulated.FAST;

  private AwsEmulator aws;
  private AcmClient acm;
  private String payments;
  private String publicCert;

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("eu-west-1");
    Instant soon = Instant.now().plus(Duration.ofDays(3));
    payments = aws.acm().add("payments.shop.internal", "PRIVATE", soon,
        Map.of("Name", "payments-mtls", "service.name", "payments"));
    publicCert = aws.acm().add("shop.example.com", "AMAZON_ISSUED", soon, Map.of("service.name", "frontend"));
    aws.acm().add("legacy.example.com", "IMPORTED", soon, Map.of());
    acm = Emulated.acm(aws);
  }

  @AfterEach
  void stop() {
    acm.close();
    aws.close();
  }

  private static ExecutionContext ctx(String key, long token) {
    return Emulated.context("INC-0007", key, token, false);
  }

  private AcmRenewExecutor renew() {
    return AcmRenewExecutor.builder(acm).setClock(FAST).setPollInterval(Duration.ofMillis(10)).build();
  }

  @Test
  void taggedCertificatesArriveAsTimeToExpiryOfTheirService() {
    List<Signal> got = new ArrayList<>();
    AcmCertificates source = AcmCertificates.builder(acm).build();
    source.start(got::add);
    try {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (source.counters().getOrDefault("sent", 0L) < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    } finally {
      source.close();
    }
    assertThat(got).hasSize(2).allSatisfy(s -> {
      MetricSample m = (MetricSample) s;
      assertThat(m.name()).isEqualTo(MetricNames.CERTIFICATE_TIME_TO_EXPIRY);
      assertThat(m.value()).isBetween(3 * 86_400.0 - 60, 3 * 86_400.0);
    });
    assertThat(got).extracting(s -> ((MetricSample) s).attribute(Attributes.TLS_CERTIFICATE))
        .containsExactlyInAnyOrder("payments-mtls", publicCert);
    assertThat(got).extracting(Signal::service).containsExactlyInAnyOrder("payments", "frontend");
    assertThat(source.counters()).containsEntry("untagged", 1L);
  }

  @Test
  void aPrivateCertificateIsRenewedOnceAndItsNewExpiryRead() {
    Instant before = aws.acm().certificate(payments).notAfter();
    ActionResult r = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("a", 3));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.acm().certificate(payments).notAfter()).isAfter(before.plus(Duration.ofDays(300)));
    assertThat(r.message()).contains("renewed certificate payments-mtls").contains("NotAfter");
    assertThat(aws.acm().certificate(payments).tags()).containsEntry("sre-agent:incident", "INC-0007")
        .containsEntry("sre-agent:fence:renew-certificate:payments-mtls", "3").doesNotContainKey("sre-agent:started");
    ActionResult again = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("a", 3));
    assertThat(again.message()).contains("already renewed");
    assertThat(aws.calls("RenewCertificate")).hasSize(1).allSatisfy(c -> assertThat(c.body()).contains(payments));
    assertThat(renew().reconcile("a".repeat(64))).isPresent();
    ActionResult stale = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("b", 2));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void aRenewalWhoseAnswerWasLostIsRecognisedByItsLaterExpiry() {
    aws.delayNext("RenewCertificate", Duration.ofSeconds(3));
    ActionResult first = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    ActionResult again = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("took effect before");
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void whatAcmDoesNotRenewOnRequestIsRefusedSayingWhatToCheck() {
    ActionResult managed = renew().execute(new Action.RenewCertificate("frontend", publicCert), ctx("a", 1));
    assertThat(managed.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(managed.message()).contains("AMAZON_ISSUED", "managed renewal", "DNS validation records");
    ActionResult other = renew().execute(new Action.RenewCertificate("checkout", "payments-mtls"), ctx("b", 1));
    assertThat(other.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(other.message()).contains("belongs to service payments (tag service.name), not checkout");
    ActionResult none = renew().execute(new Action.RenewCertificate("payments", "nope"), ctx("c", 1));
    assertThat(none.message()).contains("no ACM certificate is named 'nope' (its Name tag, else its ARN)");
    ActionResult dry = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"),
        new ExecutionContext("INC-0007", "e".repeat(64), 1, true));
    assertThat(dry.status()).isEqualTo(ActionResult.Status.DRY_RUN);
    aws.acm().add("payments2.shop.internal", "PRIVATE", Instant.now().plus(Duration.ofDays(9)),
        Map.of("Name", "payments-mtls", "service.name", "payments"));
    ActionResult twice = renew().execute(new Action.RenewCertificate("payments", "payments-mtls"), ctx("d", 1));
    assertThat(twice.message()).contains("ambiguous");
    assertThat(aws.calls("RenewCertificate")).isEmpty();
    assertThat(aws.calls("AddTagsToCertificate")).isEmpty();
  }
}
