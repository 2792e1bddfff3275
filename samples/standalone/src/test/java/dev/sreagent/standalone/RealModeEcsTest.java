package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.aws.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} with {@code aws.*}: checked at start, and on ECS through the SDK's default credential chain. */
class RealModeEcsTest {
  @Test
  void aMisconfiguredAwsStopsTheStartNamingEveryProblem(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, String.join("\n", "aws.region = eu-west-1", "aws.endpoint = http://ecs.example.com",
        "aws.ecs.executors = restart, delete", "aws.cloudwatch.interval = 1s",
        "aws.cloudwatch.alb.checkout = app/shop/1", "aws.acm = yes", "aws.ssm = truncate", "aws.ssm.node-tag = team",
        ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--config", conf.toString(), "--otlp", "127.0.0.1:0", "--audit",
        dir.resolve("audit.jsonl").toString()), ps, ps, new CountDownLatch(0), Map.<String, String>of()::get))
        .isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(
        "aws.endpoint must be https:// (plain http only to a loopback emulator",
        "aws.ecs.executors: unknown executor 'delete'; known: restart, scale, rollback, or none",
        "aws.region was given without aws.ecs.clusters", "aws.cloudwatch.interval must be at least 10s",
        "aws.cloudwatch.alb.checkout must be 'aws.cloudwatch.alb.SERVICE = LOAD_BALANCER, TARGET_GROUP'",
        "aws.acm must be off, observe (the certificates' time to expiry) or renew",
        "aws.ssm must be off or truncate-logs", "aws.ssm.node-tag must be KEY=VALUE");
  }

  @Test
  void theRunReadsTheClustersAndOffersTheExecutors(@TempDir Path dir) throws Exception {
    String[] props = {"aws.accessKeyId", "aws.secretAccessKey", "aws.disableEc2Metadata"};
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop").registerTaskDefinition("checkout", "shop/checkout:1");
      aws.ecs().createService("shop", "checkout", "checkout:1", 2);
      aws.ssm().addNode("i-0123456789abcdef0", "ip-10-0-1-5", "10.0.1.5",
          Map.of("sre-agent:truncate-logs", "allowed"), (id, commands) ->
              new dev.sreagent.testkit.aws.SsmEmulation.Execution(0, "", ""));
      System.setProperty("aws.accessKeyId", aws.accessKeyId());
      System.setProperty("aws.secretAccessKey", aws.secretAccessKey());
      System.setProperty("aws.disableEc2Metadata", "true");
      Path conf = dir.resolve("run.conf");
      Files.writeString(conf, String.join("\n", "aws.region = eu-west-1", "aws.endpoint = " + aws.endpoint(),
          "aws.ecs.clusters = shop", "aws.cloudwatch.ecs = true", "aws.acm = renew", "aws.ssm = truncate-logs",
          "aws.cloudwatch.alb.checkout = app/shop/50dc6c495c0c9188, targetgroup/checkout/6d0ecf831eec9f09", ""));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      CountDownLatch stop = new CountDownLatch(1);
      int[] status = {-1};
      Thread t = new Thread(() -> status[0] = RealMode.run(List.of("--config", conf.toString(), "--otlp",
          "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl").toString()), ps, ps, stop,
          Map.<String, String>of()::get));
      t.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while ((!out.toString(StandardCharsets.UTF_8).contains("sre-agent run: ECS")
          || aws.cloudWatch().metricDataCalls().isEmpty() || aws.calls("ListCertificates").isEmpty())
          && t.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stop.countDown();
      t.join(30_000);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("sre-agent run: ECS eu-west-1 at " + aws.endpoint()
          + ", clusters [shop]: 1 services, executors ecs-restart, ecs-scale, ecs-rollback, acm-renew, ssm-truncate-logs"
          + " (1 host tagged); CloudWatch: 5"
          + " metrics of 1 services; ACM certificates' time to expiry");
      // CPU and memory, p99 latency, 5xx and requests (the request rate shares the requests' query)
      assertThat(aws.cloudWatch().metricDataCalls()).first().satisfies(call -> assertThat(call.queries()).isEqualTo(6));
      assertThat(status[0]).isZero();
      assertThat(aws.calls("DescribeClusters")).hasSize(1);
      assertThat(aws.calls("ListCertificates")).isNotEmpty();
      assertThat(aws.calls("DescribeScalableTargets")).isNotEmpty();
      assertThat(aws.refusals()).isEmpty();
    } finally {
      for (String p : props) {
        System.clearProperty(p);
      }
    }
  }
}
