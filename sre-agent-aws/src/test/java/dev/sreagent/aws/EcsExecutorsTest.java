package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.EcsEmulation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The three ECS executors through the real AWS SDK against the emulator: effects, refusals, retries, dry runs. */
class EcsExecutorsTest {
  private static final Clock FAST = Emulated.FAST;

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
    shop.progress();
    shop.progress();
    shop.progress();
    shop.progress();
    shop.progress();
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

  @Test
  void scaleSetsTheDesiredCountOnceAndRecordsTheKeyAndToken() {
    assertThat(shop.service("shop", "checkout").runningTasks()).hasSize(2);
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 7));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    EcsEmulation.Service s = shop.service("shop", "checkout");
    assertThat(s.desiredCount()).isEqualTo(3);
    assertThat(s.tags()).containsEntry("sre-agent:fence:scale:checkout", "7")
        .containsEntry("sre-agent:incident", "INC-0001").doesNotContainKey("sre-agent:started");
    assertThat(s.tags().get("sre-agent:applied")).isEqualTo("a".repeat(64));

    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 7));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already applied");
    assertThat(aws.calls("UpdateService")).hasSize(1);
    assertThat(scale().reconcile("a".repeat(64))).get().extracting(ActionResult::status)
        .isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(scale().reconcile("f".repeat(64))).isEmpty();
  }

  @Test
  void aStaleTokenAStalePlanAndADryRunWriteNothing() {
    assertThat(scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 7)).succeeded()).isTrue();
    ActionResult stale = scale().execute(new Action.ScaleReplicas("checkout", 3, 4), ctx("b", 6));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 6 is lower than 7");
    ActionResult planned = scale().execute(new Action.ScaleReplicas("checkout", 2, 4), ctx("c", 8));
    assertThat(planned.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(planned.message()).contains("has desired count 3, the plan expected 2");
    int tagWrites = aws.calls("TagResource").size();
    ExecutionContext dry = new ExecutionContext("INC-0001", "d".repeat(64), 9, true);
    ActionResult d = scale().execute(new Action.ScaleReplicas("checkout", 3, 4), dry);
    assertThat(d.status()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(d.message()).contains("desired count of ECS service checkout in cluster shop 3 -> 4");
    assertThat(aws.calls("UpdateService")).hasSize(1);
    assertThat(aws.calls("TagResource")).hasSize(tagWrites);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);
  }

  @Test
  void underAutoScalingTheMinimumIsRaisedNeverAboveTheMaximum() {
    shop.registerScalableTarget("shop", "checkout", 2, 4);
    ActionResult r = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("minimum capacity of service/shop/checkout 2 -> 3");
    assertThat(shop.scalableTarget("shop", "checkout")).get().satisfies(t -> assertThat(t).containsExactly(3, 4));
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);
    assertThat(aws.calls("UpdateService")).isEmpty();

    ActionResult over = scale().execute(new Action.ScaleReplicas("checkout", 3, 5), ctx("b", 2));
    assertThat(over.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(over.message()).contains("above its maximum 4");
    assertThat(shop.scalableTarget("shop", "checkout")).get().satisfies(t -> assertThat(t).containsExactly(3, 4));
  }

  @Test
  void aTimedOutScaleIsSettledOnRedeliveryNotRepeated() {
    aws.delayNext("UpdateService", Duration.ofSeconds(3));
    ActionResult first = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);  // it landed
    assertThat(scale().reconcile("a".repeat(64))).isEmpty();  // but was never recorded as applied

    ActionResult again = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("took effect before");
    assertThat(aws.calls("UpdateService")).hasSize(1);
    assertThat(scale().reconcile("a".repeat(64))).isPresent();
  }

  @Test
  void aServerErrorBeforeTheChangeIsFailedAndTheRetryMakesIt() {
    aws.failNext("UpdateService", 500, "ServerException", "internal error");
    ActionResult first = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(first.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(first.message()).contains("HTTP 500 ServerException");
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(2);
    ActionResult retry = scale().execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(retry.status()).as(retry.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(3);
  }

  @Test
  void rollbackRestoresTheRevisionAndWaitsForItsRollout() {
    assertThat(shop.service("shop", "checkout").taskDefinition()).isEqualTo("checkout:2");
    ActionResult r = rollback().execute(new Action.RollBack("checkout", "checkout:2", "checkout:1"), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    EcsEmulation.Service s = shop.service("shop", "checkout");
    assertThat(s.taskDefinition()).isEqualTo("checkout:1");
    assertThat(s.deployments()).singleElement().satisfies(d -> {
      assertThat(d.rolloutState()).isEqualTo("COMPLETED");
      assertThat(d.runningCount()).isEqualTo(2);
    });
    ActionResult again = rollback().execute(new Action.RollBack("checkout", "checkout:2", "checkout:1"),
        ctx("a", 1));
    assertThat(again.message()).contains("already applied");
    assertThat(aws.calls("UpdateService")).hasSize(1);
  }

  @Test
  void rollbackRefusesAnotherFamilyAStalePlanAndReportsAFailedRollout() {
    assertThat(rollback().execute(new Action.RollBack("checkout", "checkout:2", "cart:1"), ctx("a", 1)).status())
        .isEqualTo(ActionResult.Status.REJECTED);
    ActionResult stale = rollback().execute(new Action.RollBack("checkout", "checkout:3", "checkout:1"),
        ctx("b", 1));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(stale.message()).contains("runs checkout:2, the plan expected checkout:3");
    assertThat(rollback().execute(new Action.RollBack("checkout", "checkout:2", "checkout:9"), ctx("c", 1))
        .status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(aws.calls("UpdateService")).isEmpty();

    shop.failNextRollout();
    ActionResult failed = rollback().execute(new Action.RollBack("checkout", "checkout:2", "checkout:1"),
        ctx("d", 1));
    assertThat(failed.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(failed.message()).contains("rollout of checkout:1").contains("failed");
    assertThat(shop.service("shop", "checkout").tags()).doesNotContainKey("sre-agent:applied");
  }

  @Test
  void aRestartOfEveryTaskIsANewDeploymentThatReplacesThemAll() {
    List<String> before = shop.service("shop", "checkout").runningTasks();
    ActionResult r = restart().execute(new Action.RestartPods("checkout", before), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("UpdateService")).singleElement()
        .satisfies(c -> assertThat(c.body()).contains("\"forceNewDeployment\":true"));
    List<String> after = shop.service("shop", "checkout").runningTasks();
    assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
    assertThat(aws.calls("StopTask")).isEmpty();
  }

  @Test
  void aRestartOfSomeTasksStopsOnlyThoseOneAtATime() {
    shop.createService("shop", "search", "cart:1", 3);
    List<String> tasks = shop.service("shop", "search").runningTasks();
    ActionResult r = restart().execute(new Action.RestartPods("search", tasks.subList(0, 2)), ctx("a", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.calls("StopTask")).hasSize(2);
    List<String> after = shop.service("shop", "search").runningTasks();
    assertThat(after).hasSize(3).contains(tasks.get(2)).doesNotContain(tasks.get(0), tasks.get(1));
    // the second stop came only after the first one's replacement ran
    List<AwsEmulator.Call> calls = aws.calls();
    int firstStop = indexOf(calls, "StopTask", 0);
    int secondStop = indexOf(calls, "StopTask", firstStop + 1);
    assertThat(calls.subList(firstStop, secondStop)).anyMatch(c -> c.operation().equals("DescribeServices"));

    ActionResult again = restart().execute(new Action.RestartPods("search", tasks.subList(0, 2)), ctx("a", 1));
    assertThat(again.message()).contains("already applied");
    assertThat(aws.calls("StopTask")).hasSize(2);
  }

  @Test
  void aRestartNeverStopsAnotherServicesTask() {
    String cartTask = shop.service("shop", "cart").runningTasks().get(0);
    String checkoutTask = shop.service("shop", "checkout").runningTasks().get(0);
    ActionResult r = restart().execute(new Action.RestartPods("checkout", List.of(checkoutTask, cartTask)),
        ctx("a", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains(cartTask).contains("never stops another service's task");
    assertThat(aws.calls("StopTask")).isEmpty();
    assertThat(aws.calls("UpdateService")).isEmpty();
  }

  @Test
  void aServiceOutsideTheAllowedClustersOrInTwoIsNeverTouched() {
    aws.ecs().createCluster("payments");
    aws.ecs().createService("payments", "ledger", "cart:1", 1).createService("payments", "checkout", "cart:1", 1);
    ActionResult outside = scale().execute(new Action.ScaleReplicas("ledger", 1, 2), ctx("a", 1));
    assertThat(outside.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(outside.message()).contains("no ECS service named ledger in the allowed clusters [shop]");
    EcsScaleExecutor both = EcsScaleExecutor.builder(ecs).setClusters(List.of("shop", "payments")).setClock(FAST)
        .setNoAutoScaling().build();
    ActionResult ambiguous = both.execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("b", 1));
    assertThat(ambiguous.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(ambiguous.message()).contains("ambiguous").contains("[shop, payments]");
    assertThat(aws.calls("UpdateService")).isEmpty();
  }

  @Test
  void aWrongSecretIsRefusedByTheEmulatorAndNamedInTheResult() {
    EcsClient forged = Emulated.ecs(aws, StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), "not-the-secret")));
    ActionResult r = EcsScaleExecutor.builder(forged).setClusters(List.of("shop")).setNoAutoScaling().build()
        .execute(new Action.ScaleReplicas("checkout", 2, 3), ctx("a", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("InvalidSignatureException").contains("credentials are expired or wrong");
    assertThat(aws.refusals()).containsEntry("InvalidSignatureException", 1L);
    assertThat(aws.calls()).isEmpty();
    assertThat(shop.service("shop", "checkout").desiredCount()).isEqualTo(2);
  }

  private static int indexOf(List<AwsEmulator.Call> calls, String op, int from) {
    for (int i = from; i < calls.size(); i++) {
      if (calls.get(i).operation().equals(op)) {
        return i;
      }
    }
    return -1;
  }
}
