package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.EcsEmulation;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/** {@link EcsTopology} and {@link EcsAdapter} against the emulator, through the real SDK. */
class EcsTopologyTest {
  private AwsEmulator aws;
  private EcsEmulation shop;
  private EcsClient ecs;

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("us-east-1");
    shop = aws.ecs().createCluster("shop");
    shop.registerTaskDefinition("checkout", "shop/checkout:1.4.0");
    shop.registerTaskDefinition("checkout", "shop/checkout:1.5.0");
    shop.createService("shop", "checkout", "checkout:1", 4);
    shop.tag("shop", "checkout", "service.name", "checkout-svc");
    ecs = Emulated.ecs(aws);
  }

  @AfterEach
  void stop() {
    ecs.close();
    aws.close();
  }

  private EcsAdapter.Builder adapter() {
    return EcsAdapter.builder(ecs).setClusters(List.of("shop"))
        .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint())
        .setRefreshInterval(Duration.ofHours(1)).setPollInterval(Duration.ofMillis(50));
  }

  @Test
  void servicesRevisionsTasksAndLimitsAsTheAgentSeesThem() {
    shop.registerScalableTarget("shop", "checkout", 2, 12);
    try (EcsAdapter a = adapter().start()) {
      ServiceInfo s = a.topology().topology().services().get("checkout");
      assertThat(s.namespace()).isEqualTo("shop");
      assertThat(s.replicas()).isEqualTo(4);
      assertThat(s.maxReplicas()).isEqualTo(12);
      assertThat(s.minAvailable()).isEqualTo(4);  // minimumHealthyPercent 100
      assertThat(s.currentRevision()).isEqualTo("checkout:1");
      assertThat(s.pods()).hasSize(4).containsExactlyInAnyOrderElementsOf(
          shop.service("shop", "checkout").runningTasks());
      assertThat(s.revisions()).extracting(Revision::id, Revision::healthy).containsExactly(
          org.assertj.core.groups.Tuple.tuple("checkout:1", true));
    }
  }

  @Test
  void aRevisionIsHealthyOnlyOnceSeenCompletedAndBadDeploysCanBeRolledBack() {
    try (EcsAdapter a = adapter().setDefaultMaxReplicas(6).start()) {
      shop.setAutoProgress(false).deploy("shop", "checkout", "checkout:2");
      shop.progress();
      a.topology().refresh();
      ServiceInfo mid = a.topology().topology().services().get("checkout");
      assertThat(mid.maxReplicas()).isEqualTo(6);
      assertThat(mid.currentRevision()).isEqualTo("checkout:2");
      assertThat(mid.revision("checkout:2")).get().extracting(Revision::healthy).isEqualTo(false);
      assertThat(mid.lastHealthyRevisionBeforeCurrent()).get().extracting(Revision::id).isEqualTo("checkout:1");

      ActionExecutor rollback = a.executors().stream().filter(e -> e.name().equals("ecs-rollback")).findFirst()
          .orElseThrow();
      shop.setAutoProgress(true);
      ActionResult r = rollback.execute(new Action.RollBack("checkout", "checkout:2", "checkout:1"),
          new ExecutionContext("INC-0002", "b".repeat(64), 1, false));
      assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      a.topology().refresh();
      ServiceInfo after = a.topology().topology().services().get("checkout");
      assertThat(after.currentRevision()).isEqualTo("checkout:1");
      assertThat(after.revision("checkout:2")).get().extracting(Revision::healthy).isEqualTo(false);
    }
  }

  @Test
  void aServiceTagNamesServicesAndUnknownClustersFailTheStart() {
    try (EcsAdapter a = adapter().setServiceTag("service.name").setExecutors(Set.of()).start()) {
      assertThat(a.topology().topology().services()).containsOnlyKeys("checkout-svc");
      assertThat(a.executors()).isEmpty();
    }
    assertThatThrownBy(() -> adapter().setClusters(List.of("shop", "shpo")).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("shpo").hasMessageContaining("MISSING");
    assertThatThrownBy(() -> EcsAdapter.builder(ecs).setClusters(List.of("shop")).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("setNoAutoScaling()");
    assertThatThrownBy(() -> adapter().setExecutors(Set.of("restart", "delete")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[delete]");
  }

  @Test
  void aFailedRefreshKeepsTheLastTopology() {
    try (EcsAdapter a = adapter().start()) {
      aws.failNext("ListServices", 500, "ServerException", "down");
      assertThatThrownBy(() -> a.topology().refresh()).hasMessageContaining("500");
      assertThat(a.topology().topology().services()).containsKey("checkout");
    }
  }
}
