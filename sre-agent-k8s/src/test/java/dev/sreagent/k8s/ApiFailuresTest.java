package dev.sreagent.k8s;

import static dev.sreagent.k8s.ApiServer.Fault.ERROR_AFTER_STORE;
import static dev.sreagent.k8s.ApiServer.Fault.ERROR_BEFORE_STORE;
import static dev.sreagent.k8s.ApiServer.Fault.HANG_AFTER_STORE;
import static dev.sreagent.k8s.ApiServer.Fault.HANG_BEFORE_STORE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.k8s.ApiServer.Fault;
import dev.sreagent.k8s.ApiServer.Requests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14's failure tests for the five Kubernetes executors: an API server answering HTTP 500 or not answering in
 * time, on a read before the change, on the change when it did not land, and on the change when it did land but its
 * answer was lost. Each ends in a result (never an exception) that says what happened, and a redelivery under the
 * same key (what the agent does after {@code reconcile}) applies the change once in all: the effects are counted on
 * the API server's side ({@link ApiServer#effects}, exec calls, status writes), not through the executor.
 *
 * <p>The executors' clients do not retry (fabric8 would re-send a 5xx or a timed-out request); for a hanging answer
 * ({@link ApiServer#HANG}) the executor gets a client of its own that gives up after {@value #REQUEST_TIMEOUT_MS} ms
 * ({@link ApiServer#clientWithRequestTimeout}), the others keep the default timeout, so a slow machine does not turn
 * an ordinary request into a timeout.
 */
class ApiFailuresTest {
  private static final long REQUEST_TIMEOUT_MS = 1000;
  private static final String CART = Fixtures.deploymentPath("shop", "cart");

  private final ApiServer api = new ApiServer();
  /** For fixtures, checks and the executors when nothing hangs: fabric8's default request timeout. */
  private final KubernetesClient admin = api.client;
  private final NamespacePolicy shop = NamespacePolicy.allowing(Set.of("shop"));

  /** The client an executor meeting {@code fault} runs on: one that gives up soon when the fault is a hang. */
  private KubernetesClient clientFor(Fault fault) {
    return fault.hangs ? impatient() : admin;
  }

  /** A client of its own that gives up on an answer after {@value #REQUEST_TIMEOUT_MS} ms. */
  private KubernetesClient impatient() {
    return api.clientWithRequestTimeout(Duration.ofMillis(REQUEST_TIMEOUT_MS));
  }

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key) {
    return new ExecutionContext("INC-0014", key, 1, false);
  }

  /** What the result of a call that met {@code fault} must name: the HTTP status of a 500, or the timeout. */
  private static String named(Fault fault) {
    return fault.hangs ? "timed out" : "HTTP 500";
  }

  /**
   * {@code r} is the result of a call that met {@code fault}: FAILED naming the HTTP status after a 500, TIMED_OUT
   * (the outcome is unknown) naming the timeout after a hang.
   */
  private static void assertResultOf(Fault fault, ActionResult r) {
    assertThat(r.status()).as(r.message())
        .isEqualTo(fault.hangs ? ActionResult.Status.TIMED_OUT : ActionResult.Status.FAILED);
    assertThat(r.message()).contains(named(fault));
  }

  @Nested
  class Scale {
    private final Action.ScaleReplicas scale = new Action.ScaleReplicas("cart", 2, 3);

    private KubernetesScaleExecutor executor(KubernetesClient client) {
      return KubernetesScaleExecutor.builder(client).setNamespaces(shop).build();
    }

    @BeforeEach
    void cart() {
      Fixtures.deployment(admin, "shop", "cart", 2);
    }

    private int replicaWrites() {
      return api.effects(CART);
    }

    private int replicas() {
      return admin.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas();
    }

    @Test
    void aServerErrorOnTheReadBeforeTheChangeIsAFailureNamingItAndChangesNothing() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.under("GET", "/apis/autoscaling/v2/namespaces/shop/"));
      KubernetesScaleExecutor executor = executor(admin);
      ActionResult r = executor.execute(scale, context("k1"));
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(replicaWrites()).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_BEFORE_STORE", "HANG_BEFORE_STORE"})
    void aWriteThatDidNotLandFailsAndItsRedeliveryScalesOnce(Fault fault) {
      KubernetesScaleExecutor faulted = executor(clientFor(fault));  // meets the fault; the rest is patient
      KubernetesScaleExecutor executor = executor(admin);
      api.injectOnce(fault, Requests.at("PUT", CART));
      assertResultOf(fault, faulted.execute(scale, context("k1")));
      assertThat(replicaWrites()).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();

      ActionResult again = executor.execute(scale, context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(replicaWrites()).isEqualTo(1);
      assertThat(replicas()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_AFTER_STORE", "HANG_AFTER_STORE"})
    void aWriteThatLandedWithItsAnswerLostIsFoundByReconcileAndNotRepeated(Fault fault) {
      KubernetesScaleExecutor faulted = executor(clientFor(fault));  // meets the fault; the rest is patient
      KubernetesScaleExecutor executor = executor(admin);
      api.injectOnce(fault, Requests.at("PUT", CART));
      assertResultOf(fault, faulted.execute(scale, context("k1")));
      assertThat(replicaWrites()).isEqualTo(1);
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());

      ActionResult again = executor.execute(scale, context("k1"));
      assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("already applied");
      assertThat(replicaWrites()).isEqualTo(1);
      assertThat(replicas()).isEqualTo(3);
    }
  }

  @Nested
  class Rollback {
    private final Action.RollBack rollBack = new Action.RollBack("cart", "3", "2");

    private KubernetesRollbackExecutor executor(KubernetesClient client) {
      return KubernetesRollbackExecutor.builder(client).setNamespaces(shop).build();
    }

    @BeforeEach
    void cartAtRevision3() {
      RolloutFixtures.cart(admin);
    }

    private int templateWrites() {
      return api.effects(CART);
    }

    private String image() {
      return admin.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getImage();
    }

    @Test
    void aServerErrorOnReadingTheHistoryIsAFailureNamingItAndChangesNothing() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.under("GET", "/apis/apps/v1/namespaces/shop/replicasets"));
      ActionResult r = executor(admin).execute(rollBack, context("k1"));
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(templateWrites()).isZero();
      assertThat(image()).isEqualTo(RolloutFixtures.image("cart", 3));
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_BEFORE_STORE", "HANG_BEFORE_STORE"})
    void aWriteThatDidNotLandFailsAndItsRedeliveryRollsBackOnce(Fault fault) {
      KubernetesRollbackExecutor faulted = executor(clientFor(fault));  // meets the fault; the rest is patient
      KubernetesRollbackExecutor executor = executor(admin);
      api.injectOnce(fault, Requests.at("PUT", CART));
      assertResultOf(fault, faulted.execute(rollBack, context("k1")));
      assertThat(templateWrites()).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();

      ActionResult again = executor.execute(rollBack, context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(templateWrites()).isEqualTo(1);
      assertThat(image()).isEqualTo(RolloutFixtures.image("cart", 2));
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_AFTER_STORE", "HANG_AFTER_STORE"})
    void aWriteThatLandedWithItsAnswerLostIsFoundByReconcileAndNotRepeated(Fault fault) {
      KubernetesRollbackExecutor faulted = executor(clientFor(fault));  // meets the fault; the rest is patient
      KubernetesRollbackExecutor executor = executor(admin);
      api.injectOnce(fault, Requests.at("PUT", CART));
      assertResultOf(fault, faulted.execute(rollBack, context("k1")));
      assertThat(templateWrites()).isEqualTo(1);
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());

      ActionResult again = executor.execute(rollBack, context("k1"));
      assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("already applied");
      assertThat(templateWrites()).isEqualTo(1);
      assertThat(image()).isEqualTo(RolloutFixtures.image("cart", 2));
    }
  }

  @Nested
  class Restart {
    private static final String PODS = "/api/v1/namespaces/shop/pods/";
    /** Replaces an evicted pod and publishes the status while an executor waits for readiness between waves. */
    private final DeploymentController controller = new DeploymentController(api, "shop", "cart");
    private final KubernetesRestartExecutor executor = executor(admin);

    private KubernetesRestartExecutor executor(KubernetesClient client) {
      return KubernetesRestartExecutor.builder(client).setNamespaces(shop)
          .setClock(new SteppingClock().onSleep(controller::step)).build();
    }

    /** cart: 3 replicas, 3 ready pods, its status caught up. */
    @BeforeEach
    void cart() {
      Fixtures.deployment(admin, "shop", "cart", 3);
      Fixtures.readyPod(admin, "shop", "cart-a", "cart");
      Fixtures.readyPod(admin, "shop", "cart-b", "cart");
      Fixtures.readyPod(admin, "shop", "cart-c", "cart");
      controller.publishStatus(3);
    }

    /** Evictions the API server carried out (the pod deleted), whatever it answered. */
    private int evictions() {
      return (int) api.exchanges(PODS).stream().filter(e -> e.landed() && e.path().contains("/eviction")).count();
    }

    private boolean exists(String pod) {
      return admin.pods().inNamespace("shop").withName(pod).get() != null;
    }

    private Action.RestartPods restart(String... pods) {
      return new Action.RestartPods("cart", List.of(pods));
    }

    @Test
    void aServerErrorOnReadingAPodIsAFailureNamingItAndEvictsNothing() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.at("GET", PODS + "cart-a"));
      ActionResult r = executor.execute(restart("cart-a"), context("k1"));
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(evictions()).isZero();
      assertThat(exists("cart-a")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_BEFORE_STORE", "HANG_BEFORE_STORE"})
    void anEvictionThatDidNotLandFailsAndItsRedeliveryEvictsOnce(Fault fault) {
      KubernetesRestartExecutor faulted = executor(clientFor(fault));  // meets the fault
      api.injectOnce(fault, Requests.at("POST", PODS + "cart-a/eviction"));
      assertResultOf(fault, faulted.execute(restart("cart-a"), context("k1")));
      assertThat(exists("cart-a")).isTrue();
      assertThat(executor.reconcile("k1")).isEmpty();

      ActionResult again = executor.execute(restart("cart-a"), context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(evictions()).isEqualTo(1);
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_AFTER_STORE", "HANG_AFTER_STORE"})
    void anEvictionThatLandedWithItsAnswerLostIsReportedAsTakenEffectAndNeverRepeated(Fault fault) {
      KubernetesRestartExecutor faulted = executor(clientFor(fault));  // meets the fault
      api.injectOnce(fault, Requests.at("POST", PODS + "cart-a/eviction"));
      assertResultOf(fault, faulted.execute(restart("cart-a"), context("k1")));
      assertThat(evictions()).isEqualTo(1);

      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> {
        assertThat(x.succeeded()).as(x.message()).isTrue();
        assertThat(x.message()).contains("started evicting [cart-a]", "gone since (evicted): [cart-a]");
      });
      ActionResult again = executor.execute(restart("cart-a"), context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("evicted [cart-a]").doesNotContain("nothing was evicted");
      assertThat(evictions()).isEqualTo(1);
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.message()).contains("recorded on"));
    }

    @Test
    void whenRecordingTheKeyLandedWithItsAnswerLostTheRedeliveryFindsItAndEvictsNothing() {
      api.injectAfter(1, ERROR_AFTER_STORE, Requests.at("PUT", CART));  // the first PUT records the start
      assertResultOf(ERROR_AFTER_STORE, executor.execute(restart("cart-a"), context("k1")));
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
      ActionResult again = executor.execute(restart("cart-a"), context("k1"));
      assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("already applied");
      assertThat(evictions()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_AFTER_STORE", "HANG_AFTER_STORE"})
    void whenRecordingTheStartLandedWithItsAnswerLostTheRedeliveryEvictsOnce(Fault fault) {
      KubernetesRestartExecutor faulted = executor(clientFor(fault));  // meets the fault
      api.injectOnce(fault, Requests.at("PUT", CART));
      assertResultOf(fault, faulted.execute(restart("cart-a"), context("k1")));
      assertThat(evictions()).isZero();
      assertThat(executor.reconcile("k1")).as("started, nothing evicted: never took effect").isEmpty();

      ActionResult again = executor.execute(restart("cart-a"), context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(evictions()).isEqualTo(1);
    }

    @Test
    void aRedeliveryAfterALostEvictionAnswerDoesNotEvictTheReplacementOfAStatefulSetPod() {
      admin.apps().statefulSets().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps
          .StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata().withNewSpec()
          .withReplicas(2).withNewSelector().addToMatchLabels("app", "db").endSelector().withNewTemplate()
          .withNewMetadata().addToLabels("app", "db").endMetadata().endTemplate().endSpec().build()).create();
      Fixtures.readyPod(admin, "shop", "db-0", "db");
      Fixtures.readyPod(admin, "shop", "db-1", "db");
      Action.RestartPods restart = new Action.RestartPods("db", List.of("db-0"));
      api.injectOnce(ERROR_AFTER_STORE, Requests.at("POST", PODS + "db-0/eviction"));
      assertResultOf(ERROR_AFTER_STORE, executor.execute(restart, context("k1")));
      Fixtures.readyPod(admin, "shop", "db-0", "db");  // the StatefulSet controller's replacement, same name

      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
      ActionResult again = executor.execute(restart, context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(evictions()).isEqualTo(1);
      assertThat(exists("db-0")).as("the replacement stays").isTrue();
    }

    /**
     * The agent's loop after any one fault on any write of a two-pod restart: reconcile, and while it does not say
     * "took effect", run the key again. Each named pod is evicted exactly once, no other pod at all.
     */
    @ParameterizedTest(name = "{0} on write {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "ERROR_BEFORE_STORE, 0", "ERROR_BEFORE_STORE, 1", "ERROR_BEFORE_STORE, 2", "ERROR_BEFORE_STORE, 3",
        "ERROR_AFTER_STORE, 0", "ERROR_AFTER_STORE, 1", "ERROR_AFTER_STORE, 2", "ERROR_AFTER_STORE, 3"})
    void afterAnyOneFaultOnAnyWriteReconcileAndRedeliveryEvictEachPodExactlyOnce(Fault fault, int write) {
      switch (write) {
        case 0 -> api.injectOnce(fault, Requests.at("PUT", CART));  // recording the start
        case 1 -> api.injectOnce(fault, Requests.at("POST", PODS + "cart-a/eviction"));
        case 2 -> api.injectOnce(fault, Requests.at("POST", PODS + "cart-b/eviction"));
        default -> api.injectAfter(1, fault, Requests.at("PUT", CART));  // recording the key
      }
      ActionResult r = executor.execute(restart("cart-a", "cart-b"), context("k1"));
      assertResultOf(fault, r);
      for (int run = 0; run < 3 && !executor.reconcile("k1").map(ActionResult::succeeded).orElse(false); run++) {
        executor.execute(restart("cart-a", "cart-b"), context("k1"));
      }
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
      assertThat(api.exchanges(PODS).stream().filter(e -> e.landed() && e.path().contains("/eviction"))
          .map(e -> e.path().substring(PODS.length()))).containsExactly("cart-a/eviction", "cart-b/eviction");
      assertThat(exists("cart-c")).isTrue();
    }

    @Test
    void aServerErrorOnRecordingTheKeyAfterTheEvictionsIsAFailureThatNamesThem() {
      api.injectAfter(1, ERROR_BEFORE_STORE, Requests.at("PUT", CART));  // recording the key, after both evictions
      ActionResult r = executor.execute(restart("cart-a", "cart-b"), context("k1"));
      assertThat(evictions()).isEqualTo(2);
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(r.message()).contains("cart-a", "cart-b");
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
    }

    @Test
    void aServerErrorOnASecondEvictionIsAFailureThatNamesTheFirstAndItsRedeliveryEvictsOnlyTheSecond() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.at("POST", PODS + "cart-b/eviction"));
      ActionResult r = executor.execute(restart("cart-a", "cart-b"), context("k1"));
      assertThat(evictions()).isEqualTo(1);
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(r.message()).as("cart-a was evicted before cart-b's eviction failed").contains("cart-a");
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> {
        assertThat(x.succeeded()).as("only part of it took effect").isFalse();
        assertThat(x.message()).contains("took effect in part", "gone since (evicted): [cart-a]");
      });

      ActionResult again = executor.execute(restart("cart-a", "cart-b"), context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("evicted [cart-a, cart-b]");
      assertThat(evictions()).isEqualTo(2);
      assertThat(exists("cart-b")).isFalse();
    }
  }

  @Nested
  class LogTruncation {
    private static final List<String> TRUNCATE = dev.sreagent.api.LogPaths.truncateArgv("/var/log/cart");
    private static final ApiServer.ExecReply TWO_FILES = new ApiServer.ExecReply(0,
        "/var/log/cart/app.log\n/var/log/cart/app.log.1\n", "");
    private static final String EXEC = "/api/v1/namespaces/shop/pods/cart-a/exec";
    private final Action.TruncateLogs truncate = new Action.TruncateLogs("cart", "cart-a", "/var/log/cart");

    @BeforeEach
    void cart() {
      Fixtures.deployment(admin, "shop", "cart", 1);
      Fixtures.pod(admin, "shop", "cart-a", "cart", "node-1", "cart");
      api.answerExecs(call -> TWO_FILES);
    }

    private KubernetesLogTruncateExecutor executor(Duration execTimeout) {
      return executor(admin, execTimeout);
    }

    private KubernetesLogTruncateExecutor executor(KubernetesClient client, Duration execTimeout) {
      return KubernetesLogTruncateExecutor.builder(client).setNamespaces(shop).setExecTimeout(execTimeout).build();
    }

    /** Truncations the pod received (each exec call with the truncating argument vector), whatever came back. */
    private long truncations() {
      return api.execs().stream().filter(c -> c.argv().equals(TRUNCATE)).count();
    }

    @Test
    void aServerErrorOnListingThePodsIsAFailureNamingItAndRunsNothing() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.at("GET", "/api/v1/namespaces/shop/pods"));
      ActionResult r = executor(Duration.ofSeconds(5)).execute(truncate, context("k1"));
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(api.execs()).isEmpty();
    }

    @Test
    void anExecTheServerRefusedWithA500FailsAndItsRedeliveryTruncatesOnce() {
      KubernetesLogTruncateExecutor executor = executor(Duration.ofSeconds(5));
      api.injectOnce(ERROR_BEFORE_STORE, Requests.at("GET", EXEC));
      ActionResult r = executor.execute(truncate, context("k1"));
      assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).contains("refused the exec with HTTP 500");
      assertThat(truncations()).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();

      ActionResult again = executor.execute(truncate, context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(truncations()).isEqualTo(1);
    }

    @Test
    void anExecThatRanButWhoseExitStatusWasLostIsNeverRunAgain() {
      KubernetesLogTruncateExecutor executor = executor(Duration.ofMillis(REQUEST_TIMEOUT_MS));
      AtomicInteger calls = new AtomicInteger();
      api.answerExecs(call -> calls.getAndIncrement() == 0 ? ApiServer.ExecReply.HANG : TWO_FILES);
      ActionResult r = executor.execute(truncate, context("k1"));
      assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).contains("no exit status within " + REQUEST_TIMEOUT_MS + " ms");
      assertThat(truncations()).isEqualTo(1);
      Optional<ActionResult> known = executor.reconcile("k1");

      ActionResult again = executor.execute(truncate, context("k1"));
      assertThat(truncations()).as(again.message()).isEqualTo(1);
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.REJECTED);
      assertThat(again.message()).contains("not run again");
      assertThat(known).hasValueSatisfying(x -> {
        assertThat(x.succeeded()).isFalse();
        assertThat(x.message()).contains("outcome is unknown");
      });
    }

    @Test
    void anExecUpgradeThatIsNotAnsweredInTimeCountsAsPerhapsRunAndIsNotRunAgain() {
      KubernetesLogTruncateExecutor executor = executor(Duration.ofMillis(REQUEST_TIMEOUT_MS));
      api.injectOnce(HANG_BEFORE_STORE, Requests.at("GET", EXEC));  // the executor cannot tell it never started
      ActionResult r = executor.execute(truncate, context("k1"));
      assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).containsAnyOf("no exit status within", "timed out");  // whichever wait ends first
      ActionResult again = executor.execute(truncate, context("k1"));
      assertThat(truncations()).as(again.message()).isZero();
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.REJECTED);
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_BEFORE_STORE", "HANG_BEFORE_STORE"})
    void whenRecordingTheKeyFailsAfterTheTruncationTheResultSaysSoAndItIsNeverRunAgain(Fault fault) {
      // meets the fault; the rest is patient
      KubernetesLogTruncateExecutor faulted = executor(clientFor(fault), Duration.ofSeconds(5));
      KubernetesLogTruncateExecutor executor = executor(admin, Duration.ofSeconds(5));
      api.answerExecs(call -> {
        api.injectOnce(fault, Requests.at("PUT", CART));  // the next write to the workload: recording the key
        return TWO_FILES;
      });
      ActionResult r = faulted.execute(truncate, context("k1"));
      api.answerExecs(call -> TWO_FILES);
      ActionResult again = executor.execute(truncate, context("k1"));
      assertThat(truncations()).as(again.message()).isEqualTo(1);
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.REJECTED);
      assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).contains("emptied 2 file(s)", named(fault), "not run again");
    }

    @Test
    void whenRecordingTheKeyLandedWithItsAnswerLostTheRedeliveryFindsItAndRunsNothing() {
      KubernetesLogTruncateExecutor executor = executor(Duration.ofSeconds(5));
      api.answerExecs(call -> {
        api.injectOnce(ERROR_AFTER_STORE, Requests.at("PUT", CART));
        return TWO_FILES;
      });
      assertResultOf(ERROR_AFTER_STORE, executor.execute(truncate, context("k1")));
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
      api.answerExecs(call -> TWO_FILES);
      ActionResult again = executor.execute(truncate, context("k1"));
      assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("already applied");
      assertThat(truncations()).isEqualTo(1);
    }
  }

  @Nested
  class Certificate {
    private static final String CERT = "/apis/cert-manager.io/v1/namespaces/shop/certificates/cart-tls";
    private static final String STATUS = CERT + "/status";
    private final Action.RenewCertificate renew = new Action.RenewCertificate("cart", "cart-tls");
    private CertManagerEmulator certManager;

    @BeforeEach
    void cartTls() {
      certManager = new CertManagerEmulator(api, Duration.ofMillis(50));
      KubernetesCertificateExecutorTest.certificate(admin, "shop", "cart-tls", "2026-12-10T00:00:00Z");
    }

    @AfterEach
    void stopCertManager() {
      certManager.close();
    }

    private KubernetesCertificateExecutor executor(Duration verifyTimeout) {
      return executor(admin, verifyTimeout);
    }

    private KubernetesCertificateExecutor executor(KubernetesClient client, Duration verifyTimeout) {
      return KubernetesCertificateExecutor.builder(client).setNamespaces(shop).setVerifyTimeout(verifyTimeout)
          .setFirstPoll(Duration.ofMillis(50)).build();
    }

    /** Issuing triggers the API server stored (status writes with reason ManuallyTriggered), whatever it answered. */
    private long triggers() {
      return api.statusPuts().stream().filter(b -> b.contains(CertManager.MANUALLY_TRIGGERED)).count();
    }

    @Test
    void aServerErrorOnReadingTheCertificateIsAFailureNamingItAndTriggersNothing() {
      api.injectOnce(ERROR_BEFORE_STORE, Requests.at("GET", CERT));
      ActionResult r = executor(Duration.ofSeconds(5)).execute(renew, context("k1"));
      assertResultOf(ERROR_BEFORE_STORE, r);
      assertThat(triggers()).isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_BEFORE_STORE", "HANG_BEFORE_STORE"})
    void aTriggerThatDidNotLandFailsAndItsRedeliveryTriggersOnce(Fault fault) {
      // meets the fault; the rest is patient
      KubernetesCertificateExecutor faulted = executor(clientFor(fault), Duration.ofSeconds(5));
      KubernetesCertificateExecutor executor = executor(admin, Duration.ofSeconds(5));
      api.injectOnce(fault, Requests.at("PUT", STATUS));
      assertResultOf(fault, faulted.execute(renew, context("k1")));
      assertThat(triggers()).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();

      ActionResult again = executor.execute(renew, context("k1"));
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(triggers()).isEqualTo(1);
      assertThat(certManager.issued()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(names = {"ERROR_AFTER_STORE", "HANG_AFTER_STORE"})
    void aTriggerThatLandedWithItsAnswerLostIsNotRepeated(Fault fault) {
      // meets the fault; the rest is patient
      KubernetesCertificateExecutor faulted = executor(clientFor(fault), Duration.ofSeconds(5));
      KubernetesCertificateExecutor executor = executor(admin, Duration.ofSeconds(5));
      api.injectOnce(fault, Requests.at("PUT", STATUS));
      assertResultOf(fault, faulted.execute(renew, context("k1")));
      assertThat(triggers()).isEqualTo(1);

      ActionResult again = executor.execute(renew, context("k1"));
      assertThat(triggers()).as(again.message()).isEqualTo(1);
      assertThat(certManager.issued()).isEqualTo(1);
      assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(again.message()).contains("not triggered again");
      assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
    }

    @Test
    void whenRecordingTheKeyFailsAfterTheTriggerARedeliveryOnlyVerifies() {
      certManager.mode(CertManagerEmulator.Mode.IGNORE);  // no renewal in time: the agent will deliver again
      api.beforeNextPut(STATUS, object -> api.injectUntilCleared(ERROR_BEFORE_STORE, Requests.at("PUT", CERT)));
      ActionResult r = executor(Duration.ofMillis(300)).execute(renew, context("k1"));
      assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).contains("triggered re-issuance", "the key could not be recorded (HTTP 500)");
      assertThat(triggers()).isEqualTo(1);
      api.clearFaults();
      certManager.mode(CertManagerEmulator.Mode.ISSUE);

      ActionResult again = executor(Duration.ofMillis(300)).execute(renew, context("k1"));
      assertThat(triggers()).as(again.message()).isEqualTo(1);
      assertThat(again.message()).contains("not triggered again");
      assertThat(certManager.issued()).isZero();  // the emulator renews on a trigger only; none came again
    }
  }

  /**
   * The agent's side: {@link ResilientActionExecutor} (bulkhead, circuit breaker, time limit) over an executor, and
   * the retry loop the agent runs around it ({@link #runAsTheAgentDoes}).
   */
  @Nested
  class ThroughTheAgentsRetries {
    private final Action.ScaleReplicas scale = new Action.ScaleReplicas("cart", 2, 3);
    private final List<ResilientActionExecutor> wrappers = new ArrayList<>();

    @BeforeEach
    void cart() {
      Fixtures.deployment(admin, "shop", "cart", 2);
    }

    @AfterEach
    void closeWrappers() {
      wrappers.forEach(ResilientActionExecutor::close);
    }

    private ResilientActionExecutor wrapped(ExecutorPolicy policy, KubernetesClient client) {
      ResilientActionExecutor w = new ResilientActionExecutor(KubernetesScaleExecutor.builder(client)
          .setNamespaces(shop).build(), policy, Clock.system());
      wrappers.add(w);
      return w;
    }

    /**
     * What the agent's remediation does with one action (its {@code Remediator}, without the guardrails, locks and
     * backoff waits): an attempt; on FAILED or TIMED_OUT, once the call has really ended, {@code reconcile(key)},
     * stopping when it took effect, else another attempt under the same key, up to the policy's
     * {@code maxAttempts}; after the last, one more {@code reconcile}. Returns every answer, in order.
     */
    private List<ActionResult> runAsTheAgentDoes(ResilientActionExecutor executor, Action action, String key) {
      List<ActionResult> answers = new ArrayList<>();
      for (int attempt = 1; attempt <= executor.policy().maxAttempts(); attempt++) {
        if (attempt > 1) {
          Optional<ActionResult> known = reconcileWhenIdle(executor, action, key);
          known.ifPresent(answers::add);
          if (known.isPresent() && known.get().succeeded()) {
            return answers;
          }
        }
        ActionResult r = executor.execute(action, context(key));
        answers.add(r);
        if (r.status() != ActionResult.Status.FAILED && r.status() != ActionResult.Status.TIMED_OUT) {
          return answers;
        }
      }
      reconcileWhenIdle(executor, action, key).ifPresent(answers::add);
      return answers;
    }

    /** {@code reconcile(key)} once no call on the action's target is under way any more (a bounded wait). */
    private Optional<ActionResult> reconcileWhenIdle(ResilientActionExecutor executor, Action action, String key) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (executor.busy(action.target()) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      assertThat(executor.busy(action.target())).as("the call on " + action.target() + " ended").isFalse();
      return executor.reconcile(key);
    }

    @Test
    void aWriteThatLandedWithItsAnswerLostIsReconciledNotRepeated() {
      ResilientActionExecutor executor = wrapped(ExecutorPolicy.defaults().withMaxAttempts(3), admin);
      api.injectOnce(ERROR_AFTER_STORE, Requests.at("PUT", CART));
      List<ActionResult> answers = runAsTheAgentDoes(executor, scale, "k1");
      assertThat(answers).extracting(ActionResult::status)
          .containsExactly(ActionResult.Status.FAILED, ActionResult.Status.SUCCEEDED);
      assertThat(answers.get(1).message()).contains("took effect");
      assertThat(api.effects(CART)).isEqualTo(1);
      assertThat(api.exchanges(CART)).filteredOn(e -> "PUT".equals(e.method())).hasSize(1);
    }

    @Test
    void aCallThatOutlivesTheAgentsTimeLimitAndLandsIsReconciledNotRepeated() {
      // the API server stores the write but holds its answer back (ApiServer.HANG); the agent stops waiting after
      // 2 s and interrupts the call; once it has ended, reconcile (limited to 2 s as well) must find the write
      ResilientActionExecutor executor = wrapped(ExecutorPolicy.defaults().withMaxAttempts(3)
          .withTimeout(Duration.ofSeconds(2)), admin);
      api.injectOnce(HANG_AFTER_STORE, Requests.at("PUT", CART));
      List<ActionResult> answers = runAsTheAgentDoes(executor, scale, "k1");
      assertThat(answers).extracting(ActionResult::status)
          .containsExactly(ActionResult.Status.TIMED_OUT, ActionResult.Status.SUCCEEDED);
      assertThat(api.effects(CART)).isEqualTo(1);
      Deployment cart = admin.apps().deployments().inNamespace("shop").withName("cart").get();
      assertThat(cart.getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void aServerErrorThatPersistsIsRetriedAsOftenAsThePolicySaysThenIsAFailure() {
      ResilientActionExecutor executor = wrapped(ExecutorPolicy.defaults().withMaxAttempts(3), admin);
      api.injectUntilCleared(ERROR_BEFORE_STORE, Requests.at("PUT", CART));
      List<ActionResult> answers = runAsTheAgentDoes(executor, scale, "k1");
      assertThat(answers).extracting(ActionResult::status).containsOnly(ActionResult.Status.FAILED).hasSize(3);
      assertThat(api.exchanges(CART)).filteredOn(e -> "PUT".equals(e.method())).hasSize(3);
      assertThat(api.effects(CART)).isZero();
      assertThat(executor.reconcile("k1")).isEmpty();
    }
  }
}
