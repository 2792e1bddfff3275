package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesLogTruncateExecutorTest {
  private static final List<String> TRUNCATE = dev.sreagent.api.LogPaths.truncateArgv("/var/log/cart");
  private static final List<String> PROBE = dev.sreagent.api.LogPaths.probeArgv("/var/log/cart");
  private static final ApiServer.ExecReply TWO_FILES = new ApiServer.ExecReply(0,
      "/var/log/cart/app.log\n/var/log/cart/app.log.1\n", "");

  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final KubernetesLogTruncateExecutor executor = KubernetesLogTruncateExecutor.builder(client)
      .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setExecTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void cart() {
    Fixtures.deployment(client, "shop", "cart", 3);
    Fixtures.pod(client, "shop", "cart-a", "cart", "node-1", "cart");
    Fixtures.pod(client, "shop", "cart-b", "cart", "node-2", "cart");
    Fixtures.pod(client, "shop", "cart-c", "cart", "node-1", "istio-proxy", "cart");
    Fixtures.pod(client, "shop", "search-a", "search", "node-1", "search");
    api.answerExecs(call -> TWO_FILES);
  }

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key, long token) {
    return new ExecutionContext("INC-0005", key, token, false);
  }

  private static Action.TruncateLogs truncate(String host, String path) {
    return new Action.TruncateLogs("cart", host, path);
  }

  private java.util.Map<String, String> cartAnnotations() {
    var a = client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata().getAnnotations();
    return a == null ? java.util.Map.of() : a;
  }

  @Test
  void thePodNamedByHostRunsTheFixedArgvAndTheWorkloadRecordsTheKey() {
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart/"), context("k1", 4));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(api.execs()).containsExactly(new ApiServer.ExecCall("shop", "cart-a", "cart", TRUNCATE));
    assertThat(r.message()).contains("emptied 2 file(s)", "cart-a:/var/log/cart/app.log.1");
    assertThat(cartAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1")
        .containsEntry(ChangeMarks.FENCING_TOKEN, "4").containsEntry(ChangeMarks.INCIDENT, "INC-0005");
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
  }

  @Test
  void aNodeAsHostRunsInEveryPodOfTheWorkloadOnThatNodeWithTheServiceNamedContainer() {
    ActionResult r = executor.execute(truncate("node-1", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(api.execs()).containsExactly(new ApiServer.ExecCall("shop", "cart-a", "cart", TRUNCATE),
        new ApiServer.ExecCall("shop", "cart-c", "cart", TRUNCATE));  // not cart-b (node-2), not search-a
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "/var/log/../../etc/shadow", "/var/log/cart/../../../etc", "var/log/cart",
      "/var/log/./cart", "/var//log/cart", "/var/lib/cart", "/var/logs/cart", "/var/log/cart\n", "/var/log\\cart",
      "/usr/var/log/"})
  void aPathOutsideTheAllowListOrNotNormalisedIsRefusedAndNothingRuns(String path) {
    ActionResult r = executor.execute(truncate("cart-a", path), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("nothing was run");
    assertThat(api.execs()).isEmpty();
    assertThat(cartAnnotations()).doesNotContainKey(ChangeMarks.IDEMPOTENCY_KEY);
  }

  @Test
  void aNonZeroExitBeforeAnyFileIsAFailureQuotingStderrAndRecordsNothing() {
    api.answerExecs(call -> new ApiServer.ExecReply(3, "", "sre-agent: /var/log/cart is not a directory reached"
        + " without symbolic links; nothing emptied\n"));
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("exit code 3", "symbolic links", "shop/cart-a (container cart)");
    assertThat(cartAnnotations()).doesNotContainKey(ChangeMarks.IDEMPOTENCY_KEY);
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aNonZeroExitAfterListingFilesMayHaveEmptiedPartOfThemSoTheKeyIsNotRunAgain() {
    api.answerExecs(call -> new ApiServer.ExecReply(1, "./app.log\n./app.log.1\n",
        "truncate: cannot open './app.log' for writing: Read-only file system\n"));
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("exit code 1", "Read-only file system", "stays recorded as started");
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x ->
        assertThat(x.status()).isEqualTo(ActionResult.Status.TIMED_OUT));
    assertThat(executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1)).status())
        .isEqualTo(ActionResult.Status.REJECTED);
    assertThat(api.execs()).hasSize(1);
  }

  @Test
  void noExitStatusWithinTheTimeoutIsAFailure() {
    KubernetesLogTruncateExecutor quick = KubernetesLogTruncateExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setExecTimeout(Duration.ofMillis(300)).build();
    api.answerExecs(call -> ApiServer.ExecReply.HANG);
    ActionResult r = quick.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("no exit status within 300 ms");
    assertThat(quick.reconcile("k1")).as("it may have run: outcome unknown, never run again under k1")
        .hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(ActionResult.Status.TIMED_OUT));
  }

  @Test
  void aDryRunRunsOnlyTheReadOnlyProbe() {
    String before = client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
        .getResourceVersion();
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"),
        new ExecutionContext("INC-0005", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(r.message()).contains("nothing was truncated", "found 2 regular file(s)");
    assertThat(api.execs()).containsExactly(new ApiServer.ExecCall("shop", "cart-a", "cart", PROBE));
    assertThat(client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
        .getResourceVersion()).isEqualTo(before);
  }

  @Test
  void aRedeliveredKeyRunsNothingAndAStaleTokenIsRefusedBeforeAnyExec() {
    assertThat(executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 5)).succeeded()).isTrue();
    ActionResult again = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 5));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already applied");
    ActionResult stale = executor.execute(truncate("cart-a", "/var/log/cart"), context("k2", 3));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(api.execs()).hasSize(1);
  }

  @Test
  void anExecRbacDoesNotGrantIsAFailureNamingTheAnswer() {
    api.forbid("/api/v1/namespaces/shop/pods/cart-a/exec");
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("refused the exec with HTTP 403", "create and get on pods/exec");
    assertThat(api.execs()).isEmpty();
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void whenOnlyRecordingTheKeyFailsTheResultSaysTheFilesWereTruncated() {
    String path = Fixtures.deploymentPath("shop", "cart");
    java.util.function.Consumer<String> otherWriter = p -> {
      var d = api.getDirectly(p, io.fabric8.kubernetes.api.model.apps.Deployment.class);
      d.getMetadata().getLabels().put("touched", String.valueOf(System.nanoTime()));
      api.putDirectly(p, d);
    };
    api.answerExecs(call -> {  // once the truncation ran: the key's record meets a conflict, and its retry as well
      api.beforeNextPut(path, p -> {
        otherWriter.accept(p);
        api.beforeNextPut(path, otherWriter);
      });
      return TWO_FILES;
    });
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("emptied 2 file(s)", "HTTP 409 twice", "key not recorded");
    assertThat(api.execs()).hasSize(1);  // the retry only tried to record the key again
  }

  @Test
  void aConflictOnRecordingTheStartReReadsAndRunsOnce() {
    String path = Fixtures.deploymentPath("shop", "cart");
    api.beforeNextPut(path, p -> {  // another writer, just before the start of k1 is recorded
      var d = api.getDirectly(p, io.fabric8.kubernetes.api.model.apps.Deployment.class);
      d.getMetadata().getLabels().put("team", "checkout");
      api.putDirectly(p, d);
    });
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(api.execs()).hasSize(1);
    assertThat(cartAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1");
    assertThat(client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata().getLabels())
        .containsEntry("team", "checkout");  // not overwritten
  }

  @Test
  void anEmptyDirectoryIsAFailureNotASuccess() {
    api.answerExecs(call -> new ApiServer.ExecReply(0, "", ""));
    ActionResult r = executor.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("found no regular file", "nothing was truncated");
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void theContainerComesFromTheAnnotationOrTheExecutorElseNothingRuns() {
    Fixtures.deployment(client, "shop", "pay", 1);
    Fixtures.pod(client, "shop", "pay-a", "pay", "node-3", "sidecar", "server");
    ActionResult unknown = executor.execute(new Action.TruncateLogs("pay", "pay-a", "/var/log/pay"), context("k1", 1));
    assertThat(unknown.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(unknown.message()).contains("[sidecar, server]", "kubectl.kubernetes.io/default-container");
    assertThat(api.execs()).isEmpty();
    client.pods().inNamespace("shop").withName("pay-a").edit(p -> {
      p.getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/default-container", "server"));
      return p;
    });
    assertThat(executor.execute(new Action.TruncateLogs("pay", "pay-a", "/var/log/pay"), context("k2", 1))
        .succeeded()).isTrue();
    KubernetesLogTruncateExecutor fixed = KubernetesLogTruncateExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setContainer("sidecar").build();
    assertThat(fixed.execute(new Action.TruncateLogs("pay", "pay-a", "/var/log/pay"), context("k3", 1))
        .succeeded()).isTrue();
    assertThat(api.execs()).extracting(ApiServer.ExecCall::container).containsExactly("server", "sidecar");
  }

  @Test
  void aHostWithNoPodOfTheServiceIsAFailureNamingThePods() {
    ActionResult r = executor.execute(truncate("search-a", "/var/log/cart"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("no pod of deployment shop/cart", "cart-b on node-2");
    assertThat(api.execs()).isEmpty();
  }

  @Test
  void controlPlaneNamespacesAreRefusedBeforeAnyExec() {
    Fixtures.deployment(client, "kube-system", "coredns", 2);
    Fixtures.pod(client, "kube-system", "coredns-a", "coredns", "node-1", "coredns");
    KubernetesLogTruncateExecutor wide = KubernetesLogTruncateExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("shop", "kube-system"))).build();
    ActionResult r = wide.execute(new Action.TruncateLogs("coredns", "coredns-a", "/var/log/coredns"),
        context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("control-plane namespace");
    assertThat(api.execs()).isEmpty();
  }

  @Test
  void theBuilderRefusesAllowListEntriesTheGuardrailWouldRefuse() {
    var b = KubernetesLogTruncateExecutor.builder(client);
    assertThatThrownBy(() -> b.setAllowedPrefixes(List.of("/etc/"))).hasMessageContaining("system directory /etc");
    assertThatThrownBy(() -> b.setAllowedPrefixes(List.of("/var/log"))).hasMessageContaining("ending in '/'");
    assertThatThrownBy(() -> b.setAllowedPrefixes(List.of("/var/log/../"))).hasMessageContaining("'..' segment");
    KubernetesLogTruncateExecutor custom = b.setNamespaces(NamespacePolicy.allowing(Set.of("shop")))
        .setAllowedPrefixes(List.of("/data/logs/")).build();
    assertThat(custom.execute(truncate("cart-a", "/var/log/cart"), context("k1", 1)).status())
        .isEqualTo(ActionResult.Status.REJECTED);
    assertThat(custom.execute(truncate("cart-a", "/data/logs/cart"), context("k2", 1)).succeeded()).isTrue();
  }

  @Nested
  class Contract extends ActionExecutorContract {
    private ApiServer server;

    @Override
    protected ActionExecutor create() {
      server = new ApiServer();
      Fixtures.deployment(server.client, "shop", "cart", 2);
      Fixtures.pod(server.client, "shop", "cart-a", "cart", "node-1", "cart");
      server.answerExecs(call -> TWO_FILES);
      return KubernetesLogTruncateExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();
    }

    @Override
    protected Action action() {
      return truncate("cart-a", "/var/log/cart");
    }

    @Override
    protected int effects() {  // truncations issued (a dry run's probe is not one)
      return (int) server.execs().stream().filter(c -> c.argv().equals(TRUNCATE)).count();
    }

    @Override
    protected Action failingAction() {
      return truncate("no-such-pod", "/var/log/cart");
    }

    @AfterEach
    void stop() {
      server.close();
    }
  }
}
