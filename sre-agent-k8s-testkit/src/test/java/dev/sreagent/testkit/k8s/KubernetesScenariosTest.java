package dev.sreagent.testkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent against a Kubernetes API: built-in scenarios where every action goes through the API. */
class KubernetesScenariosTest {
  private final List<KubernetesPlatform> platforms = new ArrayList<>();

  @AfterEach
  void close() {
    platforms.forEach(KubernetesPlatform::close);
  }

  private Run run(String scenario, Phase phase) {
    KubernetesPlatform[] platform = new KubernetesPlatform[1];
    ScenarioRunner runner = new ScenarioRunner(phase, 42, Duration.ofMinutes(3), null, null, b -> {
      platform[0] = KubernetesPlatform.install(b);
      platforms.add(platform[0]);
      return b;
    });
    Scenario s = Scenarios.named(scenario).orElseThrow();
    ScenarioResult result = runner.run(s);
    return new Run(result, platform[0].simulation());
  }

  private record Run(ScenarioResult result, KubernetesSimulation k8s) {
    List<KubernetesApiEmulator.Exchange> agentWrites() {
      return k8s.api().exchanges().stream().filter(e -> e.acceptedWrite() && !e.dryRun()).toList();
    }
  }

  @Test
  void oomKillIsResolvedByEvictingTheLeakingPodThroughTheEvictionApi() {
    Run run = run("oom-kill", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().passed()).as(run.result().toString()).isTrue();
    assertThat(run.result().outcome()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.k8s().unattributed()).isEmpty();
    assertThat(run.agentWrites()).extracting(KubernetesApiEmulator.Exchange::path)
        .anySatisfy(p -> assertThat(p).matches("/api/v1/namespaces/shop/pods/cart-.*/eviction"))
        .noneSatisfy(p -> assertThat(p).contains("/pods/").doesNotEndWith("/eviction"));
    assertThat(run.k8s().cluster().oracle().effectsChecked()).isPositive();
  }

  @Test
  void highLatencyIsResolvedByRaisingTheHpaMinimumNotTheReplicas() {
    Run run = run("high-latency", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().passed()).as(run.result().toString()).isTrue();
    assertThat(run.k8s().unattributed()).isEmpty();
    var hpa = run.k8s().client().autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
        .withName("frontend").get();
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThan(4);
    assertThat(hpa.getMetadata().getAnnotations()).containsKey(KubernetesSimulation.KEY);
    assertThat(run.k8s().cluster().replicas("frontend")).isEqualTo(hpa.getSpec().getMinReplicas());
    assertThat(run.agentWrites()).extracting(KubernetesApiEmulator.Exchange::path)
        .noneMatch(p -> p.contains("/deployments/frontend"));
  }

  @Test
  void errorRateSpikeIsResolvedByRestoringThePodTemplateOfTheLastHealthyReplicaSet() {
    Run run = run("error-rate-spike", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.k8s().unattributed()).isEmpty();
    var cart = run.k8s().client().apps().deployments().inNamespace("shop").withName("cart").get();
    assertThat(cart.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.local/shop/cart:r2");
    assertThat(cart.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "4")
        .containsKey(KubernetesSimulation.KEY);
    assertThat(run.k8s().cluster().currentRevision("cart")).isEqualTo("r2");
  }

  @Test
  void diskExhaustionIsResolvedByAFixedArgumentVectorThroughPodsExec() {
    Run run = run("disk-exhaustion", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.k8s().unattributed()).isEmpty();
    assertThat(run.k8s().api().execs()).last().satisfies(call -> {
      assertThat(call.pod()).startsWith("shipping-");
      assertThat(call.container()).isEqualTo("shipping");
      assertThat(call.argv()).isEqualTo(dev.sreagent.api.LogPaths.truncateArgv("/var/log/pods/shipping"));
    });
    assertThat(run.k8s().cluster().snapshot().volumes()).filteredOn(v -> v.service().equals("shipping"))
        .allSatisfy(v -> assertThat(v.used()).isLessThan(0.8));
  }

  @Test
  void certificateExpiryIsResolvedByTheIssuingConditionAndANewNotAfter() {
    Run run = run("certificate-expiry", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.k8s().unattributed()).isEmpty();
    var cert = run.k8s().client().genericKubernetesResources(
        new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("cert-manager.io")
            .withVersion("v1").withKind("Certificate").withPlural("certificates").withNamespaced(true).build())
        .inNamespace("shop").withName("payments-mtls").get();
    assertThat(cert.getMetadata().getAnnotations()).containsKey(KubernetesSimulation.KEY);
    @SuppressWarnings("unchecked")
    var status = (java.util.Map<String, Object>) cert.getAdditionalProperties().get("status");
    java.time.Instant notAfter = java.time.Instant.parse((String) status.get("notAfter"));
    assertThat(java.time.Duration.between(run.k8s().cluster().clock().now(), notAfter)).isGreaterThan(
        java.time.Duration.ofDays(60));
    assertThat(run.k8s().api().exchanges()).filteredOn(e -> e.path().contains("/certificates/payments-mtls/status"))
        .filteredOn(KubernetesApiEmulator.Exchange::acceptedWrite).hasSize(1);
  }

  @Test
  void anArgoCdManagedDeploymentIsNotChangedAndTheIncidentNamesTheGitOpsPath() {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setOnCallResponse(Duration.ofMinutes(3));
    try (KubernetesPlatform k8s = KubernetesPlatform.install(b); SimulationHarness h = b.build()) {
      var deployments = k8s.simulation().client().apps().deployments().inNamespace("shop");
      var cart = deployments.withName("cart").get();
      cart.getMetadata().getAnnotations().put("argocd.argoproj.io/tracking-id",
          "shop-cart:apps/Deployment:shop/cart");
      deployments.resource(cart).update();
      h.runFor(Duration.ofMinutes(40));
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      h.runFor(Duration.ofMinutes(40));
      assertThat(h.oracle().violations()).isEmpty();
      Incident inc = h.agent().incidents().stream().filter(i -> i.rootService().equals("cart")).findFirst()
          .orElseThrow();
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(h.events(AuditEvent.ActionCompleted.class)).singleElement().satisfies(c -> {
        assertThat(c.status()).isEqualTo(ActionResult.Status.REJECTED);
        assertThat(c.message()).contains("Argo CD").contains("shop-cart").contains("Git");
      });
      assertThat(k8s.simulation().cluster().currentRevision("cart")).isEqualTo("r3");
      assertThat(deployments.withName("cart").get().getSpec().getTemplate().getSpec().getContainers().get(0)
          .getImage()).endsWith(":r3");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"oom-kill", "high-latency", "error-rate-spike", "disk-exhaustion", "certificate-expiry"})
  void observeWritesNothingThroughTheApi(String scenario) {
    Run run = run(scenario, Phase.OBSERVE);
    assertThat(run.result().passed()).isTrue();
    assertThat(run.result().actionsShadowed()).isPositive();
    assertThat(run.agentWrites()).as("no write by the agent: every object keeps the resourceVersion the"
        + " simulation gave it").isEmpty();
    assertThat(run.k8s().api().execs()).isEmpty();
  }
}
