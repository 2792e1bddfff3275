package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.aws.AwsEmulator;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The shipped IAM policy ({@code iam/sre-agent-ecs.json}) grants exactly the API calls the adapter makes: every call
 * of a run through all its paths (ECS, Application Auto Scaling, ACM, SSM Run Command) is granted, and nothing is granted that no path
 * calls (CloudWatch's {@code GetMetricData}, made by {@link CloudWatchMetrics}, aside).
 */
class IamPolicyTest {
  private static final Map<String, String> PREFIX = Map.of("AmazonEC2ContainerServiceV20141113", "ecs",
      "AnyScaleFrontendService", "application-autoscaling", "GraniteServiceVersion20100801", "cloudwatch",
      "CertificateManager", "acm", "AmazonSSM", "ssm");

  @Test
  void thePolicyGrantsWhatTheAdapterCallsAndNothingElse() throws Exception {
    Set<String> granted = new TreeSet<>();
    try (InputStream in = EcsAdapter.class.getResourceAsStream("/iam/sre-agent-ecs.json")) {
      JsonNode policy = new ObjectMapper().readTree(in);
      for (JsonNode statement : policy.path("Statement")) {
        assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
        statement.path("Action").forEach(a -> granted.add(a.asText()));
      }
    }
    assertThat(granted).noneMatch(a -> a.contains("*"));

    Set<String> called = new TreeSet<>();
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1"); EcsClient ecs = Emulated.ecs(aws)) {
      var shop = aws.ecs().createCluster("shop");
      shop.registerTaskDefinition("checkout", "shop/checkout:1");
      shop.registerTaskDefinition("checkout", "shop/checkout:2");
      shop.createService("shop", "checkout", "checkout:1", 2).deploy("shop", "checkout", "checkout:2");
      shop.createService("shop", "cart", "checkout:1", 3).registerScalableTarget("shop", "cart", 1, 6);
      try (EcsAdapter a = EcsAdapter.builder(ecs).setClusters(List.of("shop"))
          .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint())
          .setPollInterval(Duration.ofMillis(20)).setRefreshInterval(Duration.ofHours(1)).start()) {
        Map<String, ActionExecutor> ex = new java.util.HashMap<>();
        a.executors().forEach(e -> ex.put(e.name(), e));
        List<String> cart = shop.service("shop", "cart").runningTasks();
        run(ex.get("ecs-scale"), new Action.ScaleReplicas("cart", 3, 4), "a");
        run(ex.get("ecs-rollback"), new Action.RollBack("checkout", "checkout:2", "checkout:1"), "b");
        run(ex.get("ecs-restart"), new Action.RestartPods("cart", cart.subList(0, 1)), "c");
        run(ex.get("ecs-restart"), new Action.RestartPods("checkout", shop.service("shop", "checkout")
            .runningTasks()), "d");
        ex.get("ecs-scale").reconcile("e".repeat(64));
      }
      // the certificates: listed as telemetry, one renewed (and recorded, its start tag removed)
      try (AcmClient acm = Emulated.acm(aws)) {
        aws.acm().add("payments.shop.internal", "PRIVATE", java.time.Instant.now().plus(Duration.ofDays(3)),
            Map.of("Name", "payments-mtls", "service.name", "payments"));
        AcmCertificates source = AcmCertificates.builder(acm).build();
        source.start(s -> true);
        source.close();
        source.poll();
        run(AcmRenewExecutor.builder(acm).setPollInterval(Duration.ofMillis(10)).build(),
            new Action.RenewCertificate("payments", "payments-mtls"), "f");
      }
      // a host's logs emptied with Run Command, and the key reconciled
      try (software.amazon.awssdk.services.ssm.SsmClient ssm = Emulated.ssm(aws)) {
        aws.ssm().addNode("i-0123456789abcdef0", "ip-10-0-1-5", "10.0.1.5",
            Map.of("sre-agent:truncate-logs", "allowed"), (id, commands) ->
                new dev.sreagent.testkit.aws.SsmEmulation.Execution(0, "/var/log/cart/a.log\n", ""));
        SsmLogTruncateExecutor truncate = SsmLogTruncateExecutor.builder(ssm).setPollInterval(Duration.ofMillis(10))
            .build();
        run(truncate, new Action.TruncateLogs("cart", "ip-10-0-1-5", "/var/log/cart"), "g");
        assertThat(truncate.reconcile("g".repeat(64))).isPresent();
      }
      aws.calls().forEach(c -> called.add(PREFIX.get(c.service()) + ":" + c.operation()));
    }
    Set<String> grantedButNotCalled = new TreeSet<>(granted);
    grantedButNotCalled.removeAll(called);
    assertThat(grantedButNotCalled).containsExactly("cloudwatch:GetMetricData");
    assertThat(granted).containsAll(called);
  }

  private static void run(ActionExecutor e, Action a, String key) {
    ActionResult r = e.execute(a, new ExecutionContext("INC-1", key.repeat(64), 1, false));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }
}
