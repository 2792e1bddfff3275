package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KubernetesCertificateExecutorTest {
  private static final String OLD = "2026-12-10T00:00:00Z";
  private static final String CERTS = "/apis/cert-manager.io/v1/namespaces/";

  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final CertManagerEmulator certManager = new CertManagerEmulator(api, Duration.ofMillis(300));
  private final KubernetesCertificateExecutor executor = executor(Duration.ofSeconds(10));

  private KubernetesCertificateExecutor executor(Duration bound) {
    return KubernetesCertificateExecutor.builder(client).setNamespaces(NamespacePolicy.allowing(Set.of("shop",
        "kube-system"))).setVerifyTimeout(bound).setFirstPoll(Duration.ofMillis(50)).build();
  }

  static GenericKubernetesResource certificate(KubernetesClient client, String ns, String name, String notAfter) {
    GenericKubernetesResource c = new GenericKubernetesResourceBuilder().withApiVersion("cert-manager.io/v1")
        .withKind("Certificate").withNewMetadata().withName(name).withNamespace(ns).endMetadata().build();
    c.setAdditionalProperty("spec", Map.of("secretName", name, "dnsNames", List.of(name + ".example.com"),
        "issuerRef", Map.of("name", "letsencrypt", "kind", "ClusterIssuer")));
    c.setAdditionalProperty("status", Map.of("notAfter", notAfter, "conditions", List.of(Map.of("type", "Ready",
        "status", "True", "reason", "Ready", "message", "Certificate is up to date and has not expired"))));
    return client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(ns).resource(c).create();
  }

  private GenericKubernetesResource read(String ns, String name) {
    return client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(ns).withName(name).get();
  }

  @BeforeEach
  void cartTls() {
    certificate(client, "shop", "cart-tls", OLD);
  }

  @AfterEach
  void close() {
    certManager.close();
    api.close();
  }

  private static ExecutionContext context(String key, long token) {
    return new ExecutionContext("INC-0007", key, token, false);
  }

  private static final Action.RenewCertificate RENEW = new Action.RenewCertificate("cart", "cart-tls");

  private List<GenericKubernetesResource> triggers() {
    return api.statusPuts().stream().filter(b -> b.contains("ManuallyTriggered"))
        .map(b -> client.getKubernetesSerialization().unmarshal(b, GenericKubernetesResource.class)).toList();
  }

  @Test
  void theIssuingConditionIsWrittenLikeCmctlAndTheNewNotAfterMakesItSucceed() {
    java.util.concurrent.atomic.AtomicReference<String> stored = new java.util.concurrent.atomic.AtomicReference<>();
    api.beforeNextPut(CERTS + "shop/certificates/cart-tls/status", object -> stored.set(api.getDirectly(object,
        GenericKubernetesResource.class).getMetadata().getResourceVersion()));
    ActionResult r = executor.execute(RENEW, context("k1", 4));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(triggers()).hasSize(1);
    GenericKubernetesResource sent = triggers().get(0);
    assertThat(sent.getMetadata().getResourceVersion()).isEqualTo(stored.get());  // guarded by the version read
    assertThat(CertManager.condition(sent, "Issuing")).hasValueSatisfying(c -> assertThat(c)
        .containsEntry("status", "True").containsEntry("reason", "ManuallyTriggered")
        .containsEntry("message", "Certificate re-issuance manually triggered"));
    assertThat(CertManager.condition(sent, "Ready")).isPresent();  // other conditions kept
    Instant renewed = CertManager.notAfter(read("shop", "cart-tls")).orElseThrow();
    assertThat(renewed).isAfter(Instant.parse(OLD));
    assertThat(r.message()).contains("notAfter " + OLD + " -> " + renewed);
    assertThat(read("shop", "cart-tls").getMetadata().getAnnotations())
        .containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1").containsEntry(ChangeMarks.FENCING_TOKEN, "4")
        .containsEntry(KubernetesCertificateExecutor.PREVIOUS_NOT_AFTER, OLD);
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
    assertThat(certManager.issued()).isEqualTo(1);
  }

  @Test
  void withoutANewNotAfterWithinTheBoundItFailsNamingTheConditions() {
    certManager.mode(CertManagerEmulator.Mode.IGNORE);
    SteppingClock clock = new SteppingClock();  // the bound is on the executor's clock: waits advance it, not real time
    ActionResult r = KubernetesCertificateExecutor.builder(client).setNamespaces(NamespacePolicy.allowing(Set.of(
        "shop"))).setVerifyTimeout(Duration.ofMillis(800)).setFirstPoll(Duration.ofMillis(50)).setClock(clock).build()
        .execute(RENEW, context("k1", 1));
    assertThat(clock.slept()).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(400), Duration.ofMillis(50));  // doubling, the last pause cut to what is left of the bound
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("no notAfter later than " + OLD + " within 800 ms",
        "Issuing=True (ManuallyTriggered", "Ready=True");
    assertThat(triggers()).hasSize(1);
    // the trigger took effect: reconcile says so but not as a success, and a redelivery only verifies again
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.FAILED));
    certManager.mode(CertManagerEmulator.Mode.ISSUE);
    ActionResult again = executor(Duration.ofMillis(800)).execute(RENEW, context("k1", 1));
    assertThat(again.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(again.message()).contains("not triggered again");
    assertThat(triggers()).hasSize(1);
  }

  @Test
  void anIssuanceFailureReportedByCertManagerFailsBeforeTheBound() {
    certManager.mode(CertManagerEmulator.Mode.FAIL);
    ActionResult r = executor.execute(RENEW, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("issuance failed", CertManagerEmulator.FAILURE).doesNotContain("within");
  }

  /** A clock that moves only when the executor waits on it, recording each wait. */
  private static final class SteppingClock implements dev.sreagent.api.port.Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private final List<Duration> slept = new java.util.ArrayList<>();

    @Override
    public synchronized Instant now() {
      return now;
    }

    @Override
    public synchronized void sleep(Duration d) {
      slept.add(d);
      now = now.plus(d);
    }

    synchronized List<Duration> slept() {
      return List.copyOf(slept);
    }
  }

  @Test
  void readsFailingAfterTheTriggerAreRetriedWithinTheBoundAndNamed() {
    api.afterStatusPut((object, body) -> api.forbid(object));  // instead of cert-manager: RBAC breaks meanwhile
    ActionResult r = executor(Duration.ofMillis(600)).execute(RENEW, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("triggered re-issuance", "the key could not be recorded (HTTP 403)",
        "within 600 ms", "the last read failed with HTTP 403");
    assertThat(triggers()).hasSize(1);
  }

  @Test
  void anAbsentCrdSaysCertManagerIsNotInstalled() {
    api.withoutResourceType("/apis/cert-manager.io/");
    ActionResult r = executor.execute(RENEW, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("cert-manager is not installed", "HTTP 404");
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aMissingCertificateIsAFailureNamingIt() {
    ActionResult r = executor.execute(new Action.RenewCertificate("cart", "nope-tls"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("Certificate nope-tls not found in [kube-system, shop]");
    assertThat(triggers()).isEmpty();
  }

  @Test
  void aConflictReReadsAndTriggersOnceOnTheNewVersion() {
    String status = CERTS + "shop/certificates/cart-tls/status";
    api.beforeNextPut(status, object -> {
      GenericKubernetesResource other = api.getDirectly(object, GenericKubernetesResource.class);
      other.getMetadata().setLabels(Map.of("team", "payments"));
      api.putDirectly(object, other);
    });
    ActionResult r = executor.execute(RENEW, context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(api.exchanges(status)).extracting(ApiServer.Exchange::code).startsWith(409, 200);
    assertThat(triggers()).hasSize(1);
    assertThat(read("shop", "cart-tls").getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(certManager.issued()).isEqualTo(1);
  }

  @Test
  void aConflictOnRecordingTheKeyRetriesTheRecordAndNeverTriggersTwice() {
    String object = CERTS + "shop/certificates/cart-tls";
    api.beforeNextPut(object, first -> api.beforeNextPut(object, path -> {  // the start goes through, the record not
      GenericKubernetesResource other = api.getDirectly(path, GenericKubernetesResource.class);
      other.getMetadata().setLabels(Map.of("team", "payments"));
      api.putDirectly(path, other);
    }));
    ActionResult r = executor.execute(RENEW, context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(api.exchanges(object)).filteredOn(e -> "PUT".equals(e.method()) && !e.path().contains("/status"))
        .extracting(ApiServer.Exchange::code).containsExactly(200, 409, 200);
    assertThat(triggers()).hasSize(1);
    assertThat(read("shop", "cart-tls").getMetadata().getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY,
        "k1");
    assertThat(read("shop", "cart-tls").getMetadata().getLabels()).containsEntry("team", "payments");
  }

  @Test
  void aDryRunIsTheServersAndReissuesNothing() {
    String version = read("shop", "cart-tls").getMetadata().getResourceVersion();
    ActionResult r = executor.execute(RENEW, new ExecutionContext("INC-0007", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(api.writes(CERTS).stream().filter(e -> !"POST".equals(e.method())))  // POST: the fixture
        .extracting(ApiServer.Exchange::path, ApiServer.Exchange::dryRun)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(CERTS + "shop/certificates/cart-tls/status?dryRun=All",
            true));
    assertThat(read("shop", "cart-tls").getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(certManager.issued()).isZero();
  }

  @Test
  void aRedeliveredKeyDoesNotTriggerAgainAndAStaleTokenIsRefused() {
    ActionResult first = executor.execute(RENEW, context("k1", 6));
    ActionResult again = executor.execute(RENEW, context("k1", 6));
    assertThat(again.status()).isEqualTo(first.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("not triggered again");
    ActionResult stale = executor.execute(RENEW, context("k2", 2));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(triggers()).hasSize(1);
  }

  @Test
  void controlPlaneNamespacesAreRefusedAndAmbiguousNamesAreNotGuessed() {
    certificate(client, "kube-system", "webhook-tls", OLD);
    ActionResult r = executor.execute(new Action.RenewCertificate("x", "kube-system/webhook-tls"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    certificate(client, "kube-system", "cart-tls", OLD);
    ActionResult ambiguous = executor.execute(RENEW, context("k2", 1));
    assertThat(ambiguous.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(ambiguous.message()).contains("exists in [kube-system, shop]", "namespace/name");
    assertThat(executor.execute(new Action.RenewCertificate("cart", "shop/cart-tls"), context("k3", 1))
        .succeeded()).isTrue();
    assertThat(triggers()).hasSize(1);
  }

  @Nested
  class Contract extends ActionExecutorContract {
    private ApiServer server;
    private CertManagerEmulator emulator;

    @Override
    protected ActionExecutor create() {
      server = new ApiServer();
      emulator = new CertManagerEmulator(server, Duration.ofMillis(100));
      certificate(server.client, "shop", "cart-tls", OLD);
      return KubernetesCertificateExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setVerifyTimeout(Duration.ofSeconds(10))
          .setFirstPoll(Duration.ofMillis(50)).build();
    }

    @Override
    protected Action action() {
      return RENEW;
    }

    @Override
    protected int effects() {  // issuances, as the emulated cert-manager counts them
      return emulator.issued();
    }

    @Override
    protected Action failingAction() {
      return new Action.RenewCertificate("cart", "no-such-tls");
    }

    @AfterEach
    void stop() {
      emulator.close();
      server.close();
    }
  }
}
