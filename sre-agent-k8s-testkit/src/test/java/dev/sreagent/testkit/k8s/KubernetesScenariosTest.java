package dev.sreagent.testkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
  void observeWritesNothingThroughTheApi() {
    Run run = run("oom-kill", Phase.OBSERVE);
    assertThat(run.result().passed()).isTrue();
    assertThat(run.result().actionsShadowed()).isPositive();
    assertThat(run.agentWrites()).isEmpty();
  }
}
