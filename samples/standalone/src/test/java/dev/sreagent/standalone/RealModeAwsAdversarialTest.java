package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.aws.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@code run}'s {@code aws.*} keys: bad values named at start, no secret echoed, plain http only to
 * loopback, nothing left running when the start fails half-way, and the combinations that are refused. A test marked
 * {@code @Disabled("DEFECT: ...")} fails on the code it was written against.
 */
class RealModeAwsAdversarialTest {
  private static final String[] PROPS = {"aws.accessKeyId", "aws.secretAccessKey", "aws.disableEc2Metadata"};

  @AfterEach
  void clear() {
    for (String p : PROPS) {
      System.clearProperty(p);
    }
  }

  private record Run(int status, String out) {}

  private static Run run(Path dir, String... lines) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, String.join("\n", lines) + "\n");
    return run(dir, List.of("--config", conf.toString()));
  }

  private static Run run(Path dir, List<String> extra) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(extra);
    args.addAll(List.of("--otlp", "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl").toString()));
    int status = RealMode.run(args, ps, ps, new CountDownLatch(0), Map.<String, String>of()::get);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  private static void credentials(AwsEmulator aws, String secret) {
    System.setProperty("aws.accessKeyId", aws.accessKeyId());
    System.setProperty("aws.secretAccessKey", secret);
    System.setProperty("aws.disableEc2Metadata", "true");
  }

  @Test
  void plainHttpToAnythingButLoopbackIsRefusedAtStart(@TempDir Path dir) throws Exception {
    for (String endpoint : List.of("http://localhost.example.com:4566", "http://127.0.0.1.nip.io:4566",
        "http://0.0.0.0:4566", "http://10.0.0.1:4566", "http://169.254.169.254", "http://127.0.0.1@evil.example.com",
        "http://localhost:4566@evil.example.com", "ftp://127.0.0.1:4566", "ws://127.0.0.1:4566")) {
      Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop", "aws.endpoint = " + endpoint);
      assertThat(r.status()).as(endpoint + ": " + r.out()).isEqualTo(2);
      assertThat(r.out()).as(endpoint).containsAnyOf("aws.endpoint must be https://",
          "aws.endpoint must not carry credentials");
    }
  }

  @Test
  void badAwsValuesAreEachNamedByTheirKey(@TempDir Path dir) throws Exception {
    Run r = run(dir, "aws.region = EU-WEST-1", "aws.ecs.clusters = , ,", "aws.ecs.auto-scaling = maybe",
        "aws.cloudwatch.ecs = 1", "aws.acm = Renew", "aws.cloudwatch.interval = soon", "aws.ecs.executors = none, x",
        "aws.cloudwatch.alb.checkout = app/shop/1, targetgroup/checkout/2, extra", "aws.ecs.colour = blue");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).contains("aws.region must be an AWS region", "aws.ecs.clusters must list ECS clusters",
        "aws.ecs.auto-scaling must be true or false", "aws.cloudwatch.ecs must be true or false",
        "aws.acm must be off, observe", "aws.cloudwatch.interval", "aws.ecs.executors",
        "aws.cloudwatch.alb.checkout must be", "unknown key 'aws.ecs.colour'");
  }

  @Test
  void awsWithoutRegionOrClustersIsRefusedEvenForAcmAlone(@TempDir Path dir) throws Exception {
    Run noRegion = run(dir, "aws.acm = renew");
    assertThat(noRegion.status()).isEqualTo(2);
    assertThat(noRegion.out()).contains("aws.* settings were given without aws.region");
    Run noClusters = run(dir, "aws.region = eu-west-1", "aws.acm = observe");
    assertThat(noClusters.status()).isEqualTo(2);
    assertThat(noClusters.out()).contains("aws.region was given without aws.ecs.clusters");
  }

  @Test
  void anEmptyServiceTagIsNamedAtStartBeforeAnyCall(@TempDir Path dir) throws Exception {
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop").registerTaskDefinition("checkout", "shop/checkout:1");
      aws.ecs().createService("shop", "checkout", "checkout:1", 1);
      credentials(aws, aws.secretAccessKey());
      Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop", "aws.endpoint = " + aws.endpoint(),
          "aws.ecs.service-tag =");
      assertThat(r.status()).as(r.out()).isEqualTo(2);
      assertThat(r.out()).contains("aws.ecs.service-tag");
      assertThat(aws.calls()).isEmpty();
    }
  }

  @Test
  void awsAndKubernetesInOneRunAreRefusedBeforeAnyAwsCall(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop");
      credentials(aws, aws.secretAccessKey());
      Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop", "aws.endpoint = " + aws.endpoint(),
          "aws.acm = renew", "kubernetes.kubeconfig = " + kubeconfig, "kubernetes.namespaces = shop");
      assertThat(r.status()).as(r.out()).isEqualTo(2);
      assertThat(r.out()).contains("exclude each other");
      assertThat(aws.calls()).isEmpty();
    }
  }

  @Test
  void awsWithAReplayIsRefusedBeforeAnyAwsCall(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("rec.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n2024-01-01T00:00:00Z,checkout,x,1\n");
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop");
      credentials(aws, aws.secretAccessKey());
      Path conf = dir.resolve("run.conf");
      Files.writeString(conf, String.join("\n", "aws.region = eu-west-1", "aws.ecs.clusters = shop",
          "aws.endpoint = " + aws.endpoint(), "aws.acm = renew", ""));
      Run r = run(dir, List.of("--config", conf.toString(), "--replay", csv.toString()));
      assertThat(r.status()).as(r.out()).isEqualTo(2);
      assertThat(r.out()).contains("replay.file (--replay)", "aws.*");
      assertThat(aws.calls()).isEmpty();
    }
  }

  @Test
  void aWrongSecretIsNamedAsACredentialProblemAndNeverEchoed(@TempDir Path dir) throws Exception {
    String wrong = "wJalrXUtnFEMI-K7MDENG-bPxRfiCY-WRONG-SECRET";
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop");
      credentials(aws, wrong);
      Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop", "aws.endpoint = " + aws.endpoint(),
          "aws.acm = renew");
      assertThat(r.status()).as(r.out()).isEqualTo(2);
      assertThat(r.out()).contains("check the credentials").doesNotContain(wrong)
          .doesNotContain(aws.secretAccessKey());
      assertThat(aws.refusals()).containsKey("InvalidSignatureException");
    }
  }

  @Test
  void credentialsInTheEndpointAreRefusedAndNeverEchoed(@TempDir Path dir) throws Exception {
    Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop",
        "aws.endpoint = https://AKIAIOSFODNN7EXAMPLE:s3cr3t-in-the-url@127.0.0.1:1");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).doesNotContain("s3cr3t-in-the-url");
  }

  @Test
  void aMissingClusterWithAcmRenewLeavesNoThreadRunning(@TempDir Path dir) throws Exception {
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop");
      credentials(aws, aws.secretAccessKey());
      Run warm = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = nope", "aws.endpoint = " + aws.endpoint(),
          "aws.acm = renew", "aws.cloudwatch.ecs = true");  // JVM-wide pools the first run starts
      assertThat(warm.status()).isEqualTo(2);
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      Run r = run(dir, "aws.region = eu-west-1", "aws.ecs.clusters = shop, nope",
          "aws.endpoint = " + aws.endpoint(), "aws.acm = renew", "aws.cloudwatch.ecs = true");
      assertThat(r.status()).as(r.out()).isEqualTo(2);
      assertThat(r.out()).contains("ECS does not know these clusters", "nope");
      assertThat(aws.calls("ListCertificates")).isEmpty();
      long deadline = System.nanoTime() + 5_000_000_000L;
      List<String> leaked;
      do {
        Thread.sleep(50);
        leaked = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive()
                && !t.getName().startsWith("aws-emulator"))  // the emulator's own request threads
            .map(Thread::getName).sorted().collect(Collectors.toList());
      } while (!leaked.isEmpty() && System.nanoTime() < deadline);
      assertThat(leaked).as("threads left running by a failed start").isEmpty();
    }
  }

  @Test
  void acmRenewIsOfferedAndPollsAgainstTheEmulatorWithoutRefusals(@TempDir Path dir) throws Exception {
    try (AwsEmulator aws = AwsEmulator.start("eu-west-1")) {
      aws.ecs().createCluster("shop").registerTaskDefinition("checkout", "shop/checkout:1");
      aws.ecs().createService("shop", "checkout", "checkout:1", 1);
      aws.acm().add("checkout.shop.internal", "PRIVATE", java.time.Instant.now().plus(java.time.Duration.ofDays(3)),
          Map.of("Name", "checkout-mtls", "service.name", "checkout"));
      credentials(aws, aws.secretAccessKey());
      Path conf = dir.resolve("run.conf");
      Files.writeString(conf, String.join("\n", "aws.region = eu-west-1", "aws.ecs.clusters = shop",
          "aws.endpoint = " + aws.endpoint(), "aws.acm = renew", "aws.ecs.executors = none", ""));
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
          || aws.calls("ListTagsForCertificate").isEmpty()) && t.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stop.countDown();
      t.join(30_000);
      assertThat(status[0]).as(out.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("executors none (observe only), acm-renew")
          .doesNotContain(aws.secretAccessKey());
      assertThat(aws.calls("RenewCertificate")).isEmpty();
      assertThat(aws.calls("AddTagsToCertificate")).isEmpty();
      assertThat(aws.refusals()).isEmpty();
    }
  }
}
