package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.EcsEmulation;
import dev.sreagent.testkit.aws.EcsSimulation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Attacks on the ECS executors' promises (idempotent per key, fenced, dry runs write nothing, only the named tasks of
 * the named service, only allowed clusters), through the real SDK against the emulator. A test marked
 * {@code @Disabled("DEFECT: ...")} fails on the code it was written against and shows a broken promise.
 */
class EcsAdversarialTest {
  private static final Clock FAST = Emulated.FAST;
  private static final Set<String> WRITES = Set.of("UpdateService", "StopTask", "TagResource", "UntagResource",
      "RegisterScalableTarget");

  private AwsEmulator aws;
  private EcsEmulation shop;
  private EcsClient ecs;

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("eu-west-1");
    shop = aws.ecs().createCluster("shop");
    shop.registerTaskDefinition("checkout", "shop/checkout:1.4.0");
    shop.registerTaskDefinition("checkout", "shop/checkout:1.5.0");
    shop.createService("shop", "checkout", "checkout:1", 2).deploy("shop", "checkout", "checkout:2");
    for (int i = 0; i < 5; i++) {
      shop.progress();
    }
    shop.registerTaskDefinition("cart", "shop/cart:2.0.0");
    shop.createService("shop", "cart", "cart:1", 2);
    ecs = Emulated.ecs(aws);
  }

  @AfterEach
  void stop() {
    ecs.close();
    aws.close();
  }

  private static ExecutionContext ctx(String key, long token) {
    return Emulated.context("INC-0001", key, token, false);
  }

  private static ExecutionContext dry(String key, long token) {
    return Emulated.context("INC-0001", key, token, true);
  }

  private EcsScaleExecutor scale() {
    return EcsScaleExecutor.builder(ecs).setClusters(List.of("shop")).setClock(FAST)
        .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint()).build();
  }

  private EcsRollbackExecutor rollback() {
    return EcsRollbackExecutor.builder(ecs).setClusters(List.of("shop")).setClock(FAST).build();
  }

  private EcsRestartExecutor restart() {
    return EcsRestartExecutor.builder(ecs).setClusters(List.of("shop")).setClock(FAST).build();
  }

  private long writes() {
    return aws.calls().stream().filter(c -> WRITES.contains(c.operation())).count();
  }

  // ------------------------------------------------------------------ redelivery at each write

  @Test
  void aTimeoutAtTheStartTagIsRedoneOnceOnRedelivery() {
    aws.delayNext("TagResource", Duration.ofSeconds(3));
    ActionResult first = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(aws.calls("UpdateService")).isEmpty();
    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("UpdateService")).hasSize(1);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);
  }

  @Test
  void aTimeoutAtTheAppliedTagIsNotRepeatedOnRedelivery() {
    aws.delayNext("TagResource", Duration.ofMillis(1));  // the start tag passes
    aws.delayNext("TagResource", Duration.ofSeconds(3));  // the applied tag lands, its answer is lost
    ActionResult first = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    // the change took place (its own answer came back); only the record of it is in doubt: SUCCEEDED, saying so
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(first.message()).contains("recording it on the service's tags failed");
    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("UpdateService")).hasSize(1);
  }

  @Test
  void aServerErrorAtTheAppliedTagIsSettledOnRedeliveryNotRepeated() {
    aws.delayNext("TagResource", Duration.ofMillis(1));
    aws.failNext("TagResource", 500, "ServerException", "internal error");
    scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("UpdateService")).hasSize(1);
  }

  @Test
  void aChangeThatLandedIsNeverReportedAsFailed() {
    aws.delayNext("TagResource", Duration.ofMillis(1));
    aws.failNext("TagResource", 500, "ServerException", "internal error");
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);  // it landed
    assertThat(r.status()).as("the change landed, so FAILED ('did not take place') is false: " + r.message())
        .isNotEqualTo(ActionResult.Status.FAILED);
  }

  @Test
  void aRollingRestartRedeliveredMidRolloutMakesNoFurtherChange() {
    List<String> before = shop.service("shop", "checkout").runningTasks();
    aws.delayNext("UpdateService", Duration.ofSeconds(3));
    ActionResult first = restart().execute(new Action.RestartPods("checkout", before), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    ActionResult again = restart().execute(new Action.RestartPods("checkout", before), ctx("a", 1));
    assertThat(aws.calls("StopTask")).as("the redelivery stopped tasks the new deployment replaces: "
        + again.message()).isEmpty();
    assertThat(aws.calls("UpdateService")).hasSize(1);
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void sdkRetriesDoNotRepeatAForcedDeployment() {
    EcsClient retrying = EcsClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(Emulated.credentials(aws)).httpClient(Emulated.http())
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofMillis(800))
            .apiCallTimeout(Duration.ofSeconds(8)))
        .build();
    try (retrying) {
      List<String> before = shop.service("shop", "checkout").runningTasks();
      aws.delayNext("UpdateService", Duration.ofMillis(1500));
      ActionResult r = EcsRestartExecutor.builder(retrying).setClusters(List.of("shop")).setClock(FAST).build()
          .execute(new Action.RestartPods("checkout", before), ctx("a", 1));
      assertThat(aws.calls("UpdateService")).as(r.status() + ": " + r.message()).hasSize(1);
    }
  }

  @Test
  void aKeyRedeliveredAfterThreeLaterChangesDoesNotActAgain() {
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1)).succeeded()).isTrue();
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 3, 4), ctx("b", 2)).succeeded()).isTrue();
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 4, 3), ctx("c", 3)).succeeded()).isTrue();
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 3, 2), ctx("d", 4)).succeeded()).isTrue();
    int updates = aws.calls("UpdateService").size();
    ActionResult late = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 4));
    assertThat(aws.calls("UpdateService")).as("key a changed the service a second time: " + late.message())
        .hasSize(updates);
  }

  // ------------------------------------------------------------------ tags and ECS's limits

  @Test
  void aServiceNearTheTagLimitIsEitherChangedAndRecordedOrNotChanged() {
    for (int i = 0; i < 47; i++) {
      shop.tag("shop", "checkout", "team:" + i, "v");
    }
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    int desired = shop.service("shop", "checkout").desiredCount();
    assertThat(r.status() == ActionResult.Status.FAILED && desired == 3)
        .as("changed (desired %d) but answered %s: %s", desired, r.status(), r.message()).isFalse();
    if (desired == 3) {
      assertThat(scale().reconcile("a".repeat(64))).isPresent();
    }
  }

  @Test
  void aServiceAtTheTagLimitIsRefusedBeforeAnyChange() {
    for (int i = 0; i < 48; i++) {
      shop.tag("shop", "checkout", "team:" + i, "v");
    }
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(2);
    assertThat(aws.calls("UpdateService")).isEmpty();
  }

  @Test
  void anIncidentIdOutsideEcsTagCharactersIsStillRecorded() {
    ExecutionContext weird = new ExecutionContext("INC#1 <script>;" + "x".repeat(400), "e".repeat(64), 1, false);
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), weird);
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(shop.service("shop", "checkout").tags().get("sre-agent:incident")).hasSizeLessThanOrEqualTo(256);
  }

  // ------------------------------------------------------------------ fencing

  @Test
  void aServiceNamedByItsArnDoesNotSlipPastTheFence() {
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 7)).succeeded()).isTrue();
    String arn = shop.service("shop", "checkout").arn();
    ActionResult stale = scale().execute(new Action.ScaleReplicas(arn, 3, 4), ctx("b", 6));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);
  }

  @Test
  void aStaleTokenOfAnotherKeyWritesNothing() {
    List<String> tasks = shop.service("shop", "checkout").runningTasks();
    assertThat(restart().execute(new Action.RestartPods("checkout", tasks), ctx("a", 5)).succeeded()).isTrue();
    long before = writes();
    List<String> now = shop.service("shop", "checkout").runningTasks();
    ActionResult stale = restart().execute(new Action.RestartPods("checkout", now.subList(0, 1)), ctx("b", 4));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(writes()).isEqualTo(before);
  }

  @Test
  void aPartialRestartStopsWhenANewerLockHolderTookOver() {
    shop.createService("shop", "search", "cart:1", 3).setAutoProgress(false);
    List<String> tasks = shop.service("shop", "search").runningTasks();
    Action.RestartPods action = new Action.RestartPods("search", tasks.subList(0, 2));
    Clock takeover = new Clock() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public void sleep(Duration d) {
        // while the executor waits for the first replacement, another holder of the lock writes a newer token
        shop.tag("shop", "search", "sre-agent:fence:" + action.target(), "99");
        shop.progress();
      }
    };
    ActionResult r = EcsRestartExecutor.builder(ecs).setClusters(List.of("shop")).setClock(takeover).build()
        .execute(action, ctx("a", 1));
    assertThat(aws.calls("StopTask")).as(r.status() + ": " + r.message()).hasSize(1);
    assertThat(r.status()).isIn(ActionResult.Status.REJECTED, ActionResult.Status.FAILED);
  }

  // ------------------------------------------------------------------ restart: which tasks, how long

  @Test
  void aRestartNeverStopsATaskOfAnotherClusterOrNamedByArn() {
    aws.ecs().createCluster("payments");
    aws.ecs().createService("payments", "ledger", "cart:1", 2);
    String ledgerTask = shop.service("payments", "ledger").runningTasks().get(0);
    String cartTask = shop.service("shop", "cart").runningTasks().get(0);
    String cartArn = "arn:aws:ecs:eu-west-1:" + EcsEmulation.ACCOUNT + ":task/shop/" + cartTask;
    List<String> checkout = shop.service("shop", "checkout").runningTasks();
    EcsRestartExecutor both = EcsRestartExecutor.builder(ecs).setClusters(List.of("shop", "payments"))
        .setClock(FAST).build();
    both.execute(new Action.RestartPods("checkout", List.of(checkout.get(0), ledgerTask, cartArn)), ctx("a", 1));
    assertThat(shop.service("payments", "ledger").runningTasks()).contains(ledgerTask);
    assertThat(shop.service("shop", "cart").runningTasks()).contains(cartTask);
    assertThat(aws.calls("StopTask")).allSatisfy(c -> assertThat(c.body()).contains(checkout.get(0)));
  }

  @Test
  void aFirstDeliveryNamingNoRunningTaskIsNotASuccess() {
    ActionResult r = restart().execute(new Action.RestartPods("checkout", List.of("0".repeat(31) + "f")),
        ctx("a", 1));
    assertThat(r.status()).as(r.message()).isNotEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void aTaskNamedTwiceIsStoppedOnce() {
    shop.createService("shop", "search", "cart:1", 3);
    String t = shop.service("shop", "search").runningTasks().get(0);
    ActionResult r = restart().execute(new Action.RestartPods("search", List.of(t, t)), ctx("a", 1));
    assertThat(aws.calls("StopTask")).hasSize(1);
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void aPartialRestartFinishesWithinItsDeclaredLongestCall() {
    shop.createService("shop", "search", "cart:1", 3).setAutoProgress(false);
    List<String> tasks = shop.service("shop", "search").runningTasks();
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    AtomicReference<Instant> now = new AtomicReference<>(t0);
    int[] lastStops = {0};
    Instant[] stoppedAt = {t0};
    Clock virtual = new Clock() {
      @Override
      public Instant now() {
        return now.get();
      }

      @Override
      public void sleep(Duration d) {
        now.set(now.get().plus(d));
        int stops = aws.calls("StopTask").size();
        if (stops != lastStops[0]) {
          lastStops[0] = stops;
          stoppedAt[0] = now.get().minus(d);
        }
        if (Duration.between(stoppedAt[0], now.get()).compareTo(Duration.ofMinutes(9)) >= 0) {
          shop.progress();  // each replacement takes 9 minutes, within the 10-minute rollout timeout
        }
      }
    };
    EcsRestartExecutor r = EcsRestartExecutor.builder(ecs).setClusters(List.of("shop")).setClock(virtual)
        .setPollInterval(Duration.ofMinutes(1)).build();
    ActionResult result = r.execute(new Action.RestartPods("search", tasks.subList(0, 2)), ctx("a", 1));
    // one deadline for the whole restart: two 9-minute replacements do not fit in it, so the executor stands down
    // after the second stop's wait ends at the deadline, naming what it stopped, instead of running past its limit
    assertThat(result.status()).as(result.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(result.message()).contains("not back to 3 running tasks within PT10M of the restart's start");
    Duration took = Duration.between(t0, now.get());
    assertThat(took).as("took %s, declared longestCall %s", took, r.longestCall().orElseThrow())
        .isLessThanOrEqualTo(r.longestCall().orElseThrow());
  }

  // ------------------------------------------------------------------ dry runs

  @Test
  void dryRunsOfEveryExecutorWriteNothingEvenForAKeyInDoubt() {
    shop.registerScalableTarget("shop", "checkout", 2, 6);
    aws.failNext("RegisterScalableTarget", 500, "InternalServiceException", "boom");
    ActionResult failed = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(failed.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(shop.service("shop", "checkout").tags()).containsKey("sre-agent:started");  // key a is in doubt
    long before = writes();
    List<String> tasks = shop.service("shop", "checkout").runningTasks();
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 2, 3), dry("a", 1)).status())
        .isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 2, 1), dry("b", 1)).status())
        .isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(restart().execute(new Action.RestartPods("checkout", tasks), dry("c", 1)).status())
        .isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(restart().execute(new Action.RestartPods("checkout", tasks.subList(0, 1)), dry("d", 1)).status())
        .isEqualTo(ActionResult.Status.DRY_RUN);
    restart().execute(new Action.RestartPods("checkout", List.of("0".repeat(32))), dry("e", 1));
    assertThat(rollback().execute(new Action.RollBack("checkout", "checkout:2", "checkout:1"), dry("f", 1))
        .status()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(writes()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ Application Auto Scaling

  @Test
  void aFailedRegisterScalableTargetAfterTheStartTagIsMadeOnceOnRedelivery() {
    shop.registerScalableTarget("shop", "checkout", 2, 6);
    aws.failNext("RegisterScalableTarget", 500, "InternalServiceException", "boom");
    ActionResult first = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(first.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(shop.scalableTarget("shop", "checkout")).get().satisfies(t -> assertThat(t).containsExactly(2, 6));
    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("RegisterScalableTarget")).hasSize(1);
    assertThat(aws.calls("UpdateService")).isEmpty();
    assertThat(shop.scalableTarget("shop", "checkout")).get().satisfies(t -> assertThat(t).containsExactly(3, 6));
  }

  @Test
  void aboveTheMaximumNothingIsWrittenNotEvenATag() {
    shop.registerScalableTarget("shop", "checkout", 2, 4);
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 5), ctx("a", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(writes()).isZero();
  }

  @Test
  void aScaleInUnderAScalableTargetLowersTheMinimumAndTheDesiredCount() {
    shop.registerScalableTarget("shop", "checkout", 2, 6);
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 1), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(shop.scalableTarget("shop", "checkout")).get().satisfies(t -> assertThat(t).containsExactly(1, 6));
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(1);
  }

  @Test
  void aClusterGivenByArnStillFindsTheScalableTarget() {
    shop.registerScalableTarget("shop", "checkout", 2, 4);
    EcsScaleExecutor byArn;
    try {
      byArn = EcsScaleExecutor.builder(ecs)
          .setClusters(List.of("arn:aws:ecs:eu-west-1:" + EcsEmulation.ACCOUNT + ":cluster/shop")).setClock(FAST)
          .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint())
          .build();
    } catch (IllegalArgumentException | IllegalStateException refused) {
      return;  // refusing cluster ARNs is a fix as well
    }
    ActionResult r = byArn.execute(new Action.ScaleReplicas("checkout", 2, 6), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(aws.calls("UpdateService")).isEmpty();
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(2);
  }

  // ------------------------------------------------------------------ rollback targets

  @Test
  void aRollbackToAnotherFamilyInAnyFormOrAnUnknownRevisionWritesNothing() {
    shop.registerTaskDefinition("checkout-v2", "shop/checkout:9.9.9");
    String td = "arn:aws:ecs:eu-west-1:" + EcsEmulation.ACCOUNT + ":task-definition/";
    for (String to : List.of("cart:1", td + "cart:1", "checkout-v2:1", "checkout:99", "checkout:2:1",
        "checkout", td + "checkout-v2:1")) {
      ActionResult r = rollback().execute(new Action.RollBack("checkout", "checkout:2", to), ctx("a", 1));
      assertThat(r.status()).as(to + ": " + r.message()).isIn(ActionResult.Status.REJECTED,
          ActionResult.Status.FAILED);
    }
    assertThat(writes()).isZero();
    assertThat(shop.service("shop", "checkout").taskDefinition()).isEqualTo("checkout:2");
  }

  // ------------------------------------------------------------------ topology health

  @Test
  void historyBeforeStartNeverBlessesAFailedRollout() {
    shop.registerTaskDefinition("checkout", "shop/checkout:1.6.0-bad");
    shop.setAutoProgress(false).failNextRollout();
    shop.deploy("shop", "checkout", "checkout:3");
    try (EcsTopology t = EcsTopology.builder(ecs).setClusters(List.of("shop")).setHistoryBeforeStartHealthy(true)
        .setRefreshInterval(Duration.ofHours(1)).build().start()) {
      ServiceInfo s = t.topology().services().get("checkout");
      assertThat(s.currentRevision()).isEqualTo("checkout:3");
      assertThat(s.revision("checkout:3")).get().extracting(Revision::healthy).isEqualTo(false);
    }
  }

  @Test
  void aRolloutInProgressIsNotHealthyUntilCompleted() {
    shop.registerTaskDefinition("checkout", "shop/checkout:1.6.0");
    try (EcsTopology t = EcsTopology.builder(ecs).setClusters(List.of("shop"))
        .setRefreshInterval(Duration.ofHours(1)).build().start()) {
      shop.setAutoProgress(false).deploy("shop", "checkout", "checkout:3");
      shop.progress();
      shop.progress();  // 2 of 2 new tasks running, the old deployment not drained yet
      t.refresh();
      assertThat(t.topology().services().get("checkout").revision("checkout:3")).get()
          .extracting(Revision::healthy).isEqualTo(false);
    }
  }

  // ------------------------------------------------------------------ the simulation's attribution

  @Test
  void aPartialRestartThatFailsPartWayIsStillReportedOrListed() {
    try (EcsSimulation sim = EcsSimulation.start(SimulatedCluster.builder().build())) {
      ServiceInfo svc = sim.cluster().topology().services().values().stream().filter(s -> s.pods().size() >= 3)
          .findFirst().orElseThrow();
      try (EcsClient c = Emulated.ecs(sim.aws())) {
        sim.aws().delayNext("StopTask", Duration.ofMillis(1));
        sim.aws().failNext("StopTask", 500, "ServerException", "boom");
        ActionResult r = EcsRestartExecutor.builder(c).setClusters(List.of(EcsSimulation.CLUSTER)).setClock(FAST)
            .build().execute(new Action.RestartPods(svc.name(), svc.pods().subList(0, 2)), ctx("a", 1));
        assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
        assertThat(sim.aws().calls("StopTask")).hasSize(1);  // one task was stopped
        assertThat(sim.cluster().oracle().effectsChecked() + sim.unattributed().size())
            .as("the stop took effect but neither the oracle nor unattributed() heard of it").isPositive();
      }
    }
  }

  @Test
  void aChangeByAnotherClientAfterAFailedAttemptIsUnattributed() {
    try (EcsSimulation sim = EcsSimulation.start(SimulatedCluster.builder().build())) {
      ServiceInfo svc = sim.cluster().topology().services().values().iterator().next();
      try (EcsClient c = Emulated.ecs(sim.aws())) {
        sim.aws().failNext("UpdateService", 500, "ServerException", "boom");
        ActionResult r = EcsScaleExecutor.builder(c).setClusters(List.of(EcsSimulation.CLUSTER)).setClock(FAST)
            .setNoAutoScaling().build()
            .execute(new Action.ScaleReplicas(svc.name(), svc.replicas(), svc.replicas() + 1), ctx("a", 1));
        assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
        int effects = sim.cluster().oracle().effectsChecked();
        // a human scales the service by hand, later
        c.updateService(b -> b.cluster(EcsSimulation.CLUSTER).service(svc.name()).desiredCount(svc.replicas() + 2));
        assertThat(sim.cluster().oracle().effectsChecked()).as("attributed to the agent's failed key")
            .isEqualTo(effects);
        assertThat(sim.unattributed()).isNotEmpty();
      }
    }
  }
}
