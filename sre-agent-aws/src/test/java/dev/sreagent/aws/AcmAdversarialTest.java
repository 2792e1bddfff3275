package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.aws.AwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.acm.AcmClient;

/**
 * Attacks on the ACM source's and renew executor's promises (a key renews at most once, fenced, only the named
 * service's PRIVATE certificate, dry runs write nothing, the verify wait, tag limits, the telemetry loop), through the
 * real SDK against the emulator. A test marked {@code @Disabled("DEFECT: ...")} fails on the code it was written
 * against and shows a broken promise.
 */
class AcmAdversarialTest {
  private static final Clock FAST = Emulated.FAST;
  private static final Set<String> WRITES = Set.of("RenewCertificate", "AddTagsToCertificate",
      "RemoveTagsFromCertificate");

  private AwsEmulator aws;
  private AcmClient acm;
  private String payments;
  private Instant soon;

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("eu-west-1");
    soon = Instant.now().plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    payments = aws.acm().add("payments.shop.internal", "PRIVATE", soon,
        Map.of("Name", "payments-mtls", "service.name", "payments"));
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

  private static ExecutionContext dry(String key, long token) {
    return Emulated.context("INC-0007", key, token, true);
  }

  private AcmRenewExecutor renew() {
    return AcmRenewExecutor.builder(acm).setClock(FAST).setPollInterval(Duration.ofMillis(10))
        .setVerifyTimeout(Duration.ofMillis(600)).build();
  }

  private int writes() {
    return (int) aws.calls().stream().filter(c -> WRITES.contains(c.operation())).count();
  }

  private static Action.RenewCertificate paymentsMtls() {
    return new Action.RenewCertificate("payments", "payments-mtls");
  }

  // ---- redelivery: a key renews at most once ----

  @Test
  void aTimeoutAtTheStartTagThenARedeliveryRenewsExactlyOnce() {
    aws.delayNext("AddTagsToCertificate", Duration.ofSeconds(3));
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(aws.calls("RenewCertificate")).isEmpty();
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult third = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(third.message()).contains("already renewed");
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void aRefusedRenewCertificateIsRetriedByTheRedeliveryOnce() {
    aws.failNext("RenewCertificate", 500, "InternalFailure", "boom");
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(aws.acm().certificate(payments).notAfter()).isEqualTo(soon);
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void aLostAppliedTagIsSettledFromNotAfterNotRenewedAgain() {
    aws.delayNext("AddTagsToCertificate", Duration.ofMillis(1));  // the start tag goes through
    aws.failNext("AddTagsToCertificate", 500, "InternalFailure", "boom");  // the applied tag does not land
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(first.message()).contains("recording it on the certificate's tags failed");
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("took effect before");
    assertThat(renew().execute(paymentsMtls(), ctx("a", 1)).message()).contains("already renewed");
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
    assertThat(aws.acm().certificate(payments).tags()).doesNotContainKey("sre-agent:started");
  }

  @Test
  void anAppliedTagWhoseAnswerWasLostIsFoundByTheRedelivery() {
    aws.delayNext("AddTagsToCertificate", Duration.ofMillis(1));
    aws.delayNext("AddTagsToCertificate", Duration.ofSeconds(3));  // lands, the answer is lost
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void aRedeliveryWhileTheLostRenewalIsStillBeingIssuedDoesNotRenewAgain() throws Exception {
    // ACM issues a private certificate's renewal asynchronously (the executor itself waits up to its verify timeout
    // for the later NotAfter): here the first renewal is accepted, its answer lost, and its issuance shows only while
    // the redelivery waits within the first attempt's verify window
    AtomicInteger renewals = new AtomicInteger();
    aws.acm().setRenewalListener(r -> {
      if (renewals.incrementAndGet() == 1) {
        aws.acm().setNotAfter(r.arn(), soon);  // still pending issuance
      }
    });
    aws.delayNext("RenewCertificate", Duration.ofSeconds(3));
    AcmRenewExecutor slow = AcmRenewExecutor.builder(acm).setClock(FAST).setPollInterval(Duration.ofMillis(10))
        .setVerifyTimeout(Duration.ofSeconds(8)).build();
    ActionResult first = slow.execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    Thread issuer = new Thread(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
      aws.acm().setNotAfter(payments, soon.plus(Duration.ofDays(395)));  // issued now
    });
    issuer.start();
    ActionResult again = slow.execute(paymentsMtls(), ctx("a", 1));
    issuer.join();
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("took effect before");
    assertThat(aws.calls("RenewCertificate")).as("RenewCertificate calls for one key").hasSize(1);
  }

  @Test
  void aRenewalThatNeverIssuedIsRequestedOnceMoreOnlyAfterItsVerifyWindow() {
    AtomicInteger renewals = new AtomicInteger();
    aws.acm().setRenewalListener(r -> {
      if (renewals.incrementAndGet() == 1) {
        aws.acm().setNotAfter(r.arn(), soon);  // the first request never issues
      }
    });
    aws.delayNext("RenewCertificate", Duration.ofSeconds(3));
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("RenewCertificate")).hasSize(2);
  }

  // ---- the verify wait ----

  @Test
  void aNotAfterThatNeverMovesEndsFailedAtTheVerifyTimeout() {
    aws.acm().setRenewalListener(r -> aws.acm().setNotAfter(r.arn(), soon));
    long t0 = System.nanoTime();
    ActionResult r = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("NotAfter is still");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(renew().reconcile("a".repeat(64))).isEmpty();
  }

  @Test
  void aNotAfterThatMovesBackwardsIsNotASuccess() {
    aws.acm().setRenewalListener(r -> aws.acm().setNotAfter(r.arn(), soon.minus(Duration.ofDays(1))));
    ActionResult r = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(aws.acm().certificate(payments).tags()).doesNotContainKeys("sre-agent:applied");
  }

  @Test
  void aRenewalIssuedAfterTheVerifyTimeoutIsSettledByTheRedeliveryWithoutASecondRenewal() {
    AtomicBoolean issue = new AtomicBoolean(false);
    aws.acm().setRenewalListener(r -> {
      if (!issue.get()) {
        aws.acm().setNotAfter(r.arn(), soon);
      }
    });
    ActionResult first = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(first.status()).isEqualTo(ActionResult.Status.FAILED);
    aws.acm().setNotAfter(payments, soon.plus(Duration.ofDays(395)));  // issued late
    ActionResult again = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("took effect before");
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  // ---- fencing ----

  @Test
  void aStaleTokenUnderAnotherKeyIsRejectedBeforeAnyWrite() {
    assertThat(renew().execute(paymentsMtls(), ctx("a", 7)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    int before = writes();
    ActionResult stale = renew().execute(paymentsMtls(), ctx("b", 6));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(writes()).isEqualTo(before);
    ActionResult staleDry = renew().execute(paymentsMtls(), dry("c", 6));
    assertThat(staleDry.status()).isEqualTo(ActionResult.Status.REJECTED);
  }

  @Test
  void aStaleTokenIsRejectedWhenTheNameNeedsAHashedFenceKey() {
    String odd = aws.acm().add("odd.shop.internal", "PRIVATE", soon, Map.of("Name", "odd*cert#1",
        "service.name", "payments"));
    Action.RenewCertificate a = new Action.RenewCertificate("payments", "odd*cert#1");
    assertThat(renew().execute(a, ctx("a", 9)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.acm().certificate(odd).tags().keySet()).anyMatch(k -> k.startsWith("sre-agent:fence:"))
        .allMatch(k -> k.length() <= 128);
    ActionResult stale = renew().execute(a, ctx("b", 3));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  @Test
  void aStaleTokenNamingTheCertificateByItsArnIsRejected() {
    assertThat(renew().execute(paymentsMtls(), ctx("a", 7)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult stale = renew().execute(new Action.RenewCertificate("payments", payments), ctx("b", 2));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(aws.calls("RenewCertificate")).hasSize(1);
  }

  // ---- another service's certificate ----

  @Test
  void aNameTagEqualToAnotherCertificatesArnIsAmbiguousAndNothingIsWritten() {
    aws.acm().add("checkout.shop.internal", "PRIVATE", soon, Map.of("Name", payments, "service.name", "checkout"));
    for (String service : List.of("payments", "checkout")) {
      ActionResult r = renew().execute(new Action.RenewCertificate(service, payments), ctx(service.substring(0, 1),
          1));
      assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
      assertThat(r.message()).contains("ambiguous");
    }
    assertThat(writes()).isZero();
  }

  @Test
  void anotherServicesCertificateNamedByItsArnIsRefused() {
    String checkout = aws.acm().add("checkout.shop.internal", "PRIVATE", soon,
        Map.of("Name", "checkout-mtls", "service.name", "checkout"));
    ActionResult r = renew().execute(new Action.RenewCertificate("payments", checkout), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("is named 'checkout-mtls' (its Name tag)");  // one name per certificate
    assertThat(writes()).isZero();
  }

  @Test
  void tagCaseGamesNeitherMatchNorLendAService() {
    // a lower-case "name" is not the Name tag; "Service.Name" and "Payments" are not service.name=payments
    aws.acm().add("decoy.shop.internal", "PRIVATE", soon, Map.of("name", "payments-mtls", "service.name",
        "checkout"));
    aws.acm().add("upper.shop.internal", "PRIVATE", soon, Map.of("Name", "upper", "Service.Name", "payments"));
    aws.acm().add("capital.shop.internal", "PRIVATE", soon, Map.of("Name", "capital", "service.name", "Payments"));
    aws.acm().add("spaced.shop.internal", "PRIVATE", soon, Map.of("Name", "spaced", "service.name", " payments"));
    for (String name : List.of("upper", "capital", "spaced")) {
      ActionResult r = renew().execute(new Action.RenewCertificate("payments", name), ctx(name.substring(0, 1), 1));
      assertThat(r.status()).as(name + ": " + r.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    ActionResult other = renew().execute(new Action.RenewCertificate("checkout", "payments-mtls"), ctx("d", 1));
    assertThat(other.status()).as(other.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(writes()).isZero();
    ActionResult mine = renew().execute(paymentsMtls(), ctx("e", 1));
    assertThat(mine.status()).as(mine.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("RenewCertificate")).singleElement().satisfies(c -> assertThat(c.body()).contains(payments));
  }

  // ---- AMAZON_ISSUED / IMPORTED ----

  @Test
  void amazonIssuedAndImportedNeverReachRenewEvenInDoubtOrByArn() {
    String key = "f".repeat(64);
    String managed = aws.acm().add("shop.example.com", "AMAZON_ISSUED", soon, Map.of("Name", "shop-public",
        "service.name", "frontend", "sre-agent:started", key + "@1"));  // a start recorded, NotAfter later
    String imported = aws.acm().add("legacy.example.com", "IMPORTED", soon, Map.of("Name", "legacy",
        "service.name", "legacy"));
    for (Action.RenewCertificate a : List.of(new Action.RenewCertificate("frontend", "shop-public"),
        new Action.RenewCertificate("frontend", managed), new Action.RenewCertificate("legacy", "legacy"),
        new Action.RenewCertificate("legacy", imported))) {
      ActionResult r = renew().execute(a, new ExecutionContext("INC-0007", key, 1, false));
      assertThat(r.status()).as(a + ": " + r.message()).isEqualTo(ActionResult.Status.REJECTED);
      ActionResult d = renew().execute(a, new ExecutionContext("INC-0007", key, 1, true));
      assertThat(d.status()).as(a + " dry: " + d.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    assertThat(writes()).isZero();
  }

  // ---- dry runs ----

  @Test
  void dryRunsWriteNothingAlsoForAKeyInDoubt() {
    aws.delayNext("RenewCertificate", Duration.ofSeconds(3));
    renew().execute(paymentsMtls(), ctx("a", 1));
    int before = writes();
    Map<String, String> tags = aws.acm().certificate(payments).tags();
    ActionResult inDoubt = renew().execute(paymentsMtls(), dry("a", 1));
    ActionResult fresh = renew().execute(paymentsMtls(), dry("b", 2));
    ActionResult byArn = renew().execute(new Action.RenewCertificate("payments", payments), dry("c", 2));
    assertThat(List.of(inDoubt.status(), fresh.status())).allMatch(s -> s == ActionResult.Status.DRY_RUN
        || s == ActionResult.Status.SUCCEEDED);
    assertThat(byArn.status()).isEqualTo(ActionResult.Status.REJECTED);  // named one way only, dry or not
    assertThat(writes()).isEqualTo(before);
    assertThat(aws.acm().certificate(payments).tags()).isEqualTo(tags);
  }

  @Test
  void aDryRunOfACertificateWithoutRoomForTheTagsSaysWhatTheRealRunWouldSay() {
    Map<String, String> tags = new HashMap<>(Map.of("Name", "full", "service.name", "payments"));
    for (int i = 0; i < 45; i++) {
      tags.put("team:" + i, "x");
    }
    aws.acm().add("full.shop.internal", "PRIVATE", soon, tags);  // 47 tags: ours would make 51
    Action.RenewCertificate a = new Action.RenewCertificate("payments", "full");
    ActionResult real = renew().execute(a, ctx("a", 1));
    assertThat(real.status()).as(real.message()).isEqualTo(ActionResult.Status.FAILED);
    ActionResult dry = renew().execute(a, dry("b", 1));
    assertThat(writes()).isZero();
    assertThat(dry.status()).as(dry.message()).isNotEqualTo(ActionResult.Status.DRY_RUN);
  }

  // ---- tag limits ----

  @Test
  void aCertificateAtTheTagLimitIsRefusedBeforeAnyWriteAndOneWithRoomStaysWithinIt() {
    Map<String, String> full = new HashMap<>(Map.of("Name", "full", "service.name", "payments"));
    Map<String, String> room = new HashMap<>(Map.of("Name", "room", "service.name", "payments"));
    for (int i = 0; i < 45; i++) {
      full.put("team:" + i, "x");
      if (i < 44) {
        room.put("team:" + i, "x");
      }
    }
    aws.acm().add("full.shop.internal", "PRIVATE", soon, full);
    String roomArn = aws.acm().add("room.shop.internal", "PRIVATE", soon, room);  // 46 + 4 = 50
    ActionResult r = renew().execute(new Action.RenewCertificate("payments", "full"), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("nothing written");
    assertThat(writes()).isZero();
    ActionResult ok = renew().execute(new Action.RenewCertificate("payments", "room"), ctx("b", 1));
    assertThat(ok.status()).as(ok.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(ok.message()).doesNotContain("failed");
    assertThat(aws.acm().certificate(roomArn).tags()).hasSizeLessThanOrEqualTo(50)
        .containsKey("sre-agent:applied");
  }

  // ---- the telemetry source ----

  /**
   * A source started on a sink that passes signals to {@code sink} only after its first (background) poll is over,
   * its scheduler closed: the test then polls itself.
   */
  private static AcmCertificates quiet(AcmClient acm, dev.sreagent.api.port.TelemetrySink sink)
      throws InterruptedException {
    AtomicBoolean open = new AtomicBoolean(false);
    AcmCertificates s = AcmCertificates.builder(acm).build();
    s.start(signal -> open.get() ? sink.accept(signal) : true);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!s.counters().containsKey("sent") && !s.counters().containsKey("poll.failed")
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    s.close();
    open.set(true);
    return s;
  }

  @Test
  void certificatesOfNoServiceAreNotSentAndAnExpiredOneIsSentNegative() throws Exception {
    aws.acm().add("nobody.shop.internal", "PRIVATE", soon, Map.of("Name", "nobody"));
    aws.acm().add("old.shop.internal", "PRIVATE", Instant.now().minus(Duration.ofDays(2)),
        Map.of("Name", "old", "service.name", "payments"));
    List<Signal> got = new ArrayList<>();
    AcmCertificates polled = quiet(acm, got::add);
    polled.poll();
    assertThat(got).hasSize(2).allSatisfy(x -> assertThat(x.service()).isEqualTo("payments"));
    assertThat(got).filteredOn(x -> "old".equals(((MetricSample) x).attribute(Attributes.TLS_CERTIFICATE)))
        .singleElement().satisfies(x -> assertThat(((MetricSample) x).value()).isNegative()
            .isGreaterThan(-3 * 86_400.0));
    assertThat(got).allSatisfy(x -> assertThat(((MetricSample) x).value()).isFinite());
  }

  @Test
  void aBlankServiceTagIsACertificateOfNoService() throws Exception {
    aws.acm().add("blank.shop.internal", "PRIVATE", soon, Map.of("Name", "blank", "service.name", ""));
    aws.acm().add("space.shop.internal", "PRIVATE", soon, Map.of("Name", "space", "service.name", "  "));
    List<Signal> got = new ArrayList<>();
    AcmCertificates s = quiet(acm, got::add);
    s.poll();
    assertThat(got).extracting(Signal::service).containsExactly("payments");
  }

  @Test
  void oneCertificateGoneBetweenTheListAndItsTagsDoesNotHideTheOthers() throws Exception {
    aws.acm().add("gone.shop.internal", "PRIVATE", soon, Map.of("Name", "gone", "service.name", "gone"));
    List<Signal> got = new ArrayList<>();
    AcmCertificates s = quiet(acm, got::add);
    aws.delayNext("ListTagsForCertificate", Duration.ofMillis(1));  // payments' tags are read
    aws.failNext("ListTagsForCertificate", 400, "ResourceNotFoundException", "Could not find certificate");
    assertThatCode(s::poll).doesNotThrowAnyException();
    assertThat(got).extracting(Signal::service).contains("payments");
  }

  @Test
  void anUnrelatedCertificateWhoseTagsCannotBeReadDoesNotFailTheRenewal() {
    aws.acm().add("gone.shop.internal", "PRIVATE", soon, Map.of("Name", "gone", "service.name", "gone"));
    aws.delayNext("ListTagsForCertificate", Duration.ofMillis(1));
    aws.failNext("ListTagsForCertificate", 400, "ResourceNotFoundException", "Could not find certificate");
    ActionResult r = renew().execute(paymentsMtls(), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void aSinkThrowingOnOneSampleDoesNotStarveTheOthers() throws Exception {
    aws.acm().add("second.shop.internal", "PRIVATE", soon, Map.of("Name", "second", "service.name", "cart"));
    List<Signal> got = new ArrayList<>();
    AcmCertificates s = quiet(acm, signal -> {
      if ("payments".equals(signal.service())) {
        throw new IllegalStateException("sink refused");
      }
      return got.add(signal);
    });
    try {
      s.poll();
    } catch (RuntimeException expected) {
      // the poll may report it; the other certificate must still have been sent
    }
    assertThat(got).extracting(Signal::service).containsExactly("cart");
  }

  @Test
  void aFailingPollIsCountedAndNeverThrownIntoTheScheduler() throws Exception {
    aws.failNext("ListCertificates", 500, "InternalFailure", "boom");
    AcmCertificates s = AcmCertificates.builder(acm).build();
    s.start(signal -> true);
    try {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (s.counters().getOrDefault("poll.failed", 0L) < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      s.close();
    }
    assertThat(s.counters()).containsEntry("poll.failed", 1L);
    List<Signal> got = new ArrayList<>();
    AcmCertificates again = quiet(acm, got::add);
    assertThat(again.poll()).isEqualTo(1);
  }

  @Test
  void theListAsksForEveryKeyAlgorithm() throws Exception {
    List<Signal> got = new ArrayList<>();
    AcmCertificates s = quiet(acm, got::add);
    s.poll();
    assertThat(aws.calls("ListCertificates")).isNotEmpty().allSatisfy(c -> assertThat(c.body())
        .contains("keyTypes").contains("EC_prime256v1").contains("RSA_4096"));
  }
}
