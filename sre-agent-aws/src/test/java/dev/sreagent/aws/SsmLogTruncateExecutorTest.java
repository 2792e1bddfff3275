package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.SsmEmulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@link SsmLogTruncateExecutor} against the emulated SSM, whose hosts run the scripts it sends in a real
 * {@code sh} with {@code find} and {@code truncate}, their {@code /var/log} rooted in a temporary directory (the only
 * change made to a script: {@code /var/log/} is prefixed with that directory).
 */
class SsmLogTruncateExecutorTest {
  private static final String HOST = "i-0a1b2c3d4e5f60718";
  private static final Map<String, String> TAGGED = Map.of("sre-agent:truncate-logs", "allowed");

  @TempDir Path root;
  private AwsEmulator aws;
  private SsmClient ssm;
  private final RealShell.Stepping clock = new RealShell.Stepping();

  @BeforeEach
  void start() throws IOException {
    aws = AwsEmulator.start("eu-west-1");
    ssm = Emulated.ssm(aws);
    aws.ssm().addNode(HOST, "ip-10-0-1-5.eu-west-1.compute.internal", "10.0.1.5", TAGGED, this::shell);
    Files.createDirectories(root.resolve("var/log/checkout/old"));
    Files.writeString(root.resolve("var/log/checkout/app.log"), "x".repeat(1000));
    Files.writeString(root.resolve("var/log/checkout/old/app.log.1"), "y".repeat(500));
  }

  @AfterEach
  void stop() {
    ssm.close();
    aws.close();
  }

  /** A host's shell: the script run by a real sh, with /var/log/ under the test's directory. */
  private SsmEmulation.Execution shell(String instanceId, List<String> commands) {
    return RealShell.run(root, commands, Map.of());
  }

  private SsmLogTruncateExecutor executor() {
    return SsmLogTruncateExecutor.builder(ssm).setClock(clock).setPollInterval(Duration.ofSeconds(2))
        .setCommandTimeout(Duration.ofSeconds(30)).build();
  }

  private long sent() {
    return aws.calls().stream().filter(c -> c.operation().equals("SendCommand")).count();
  }

  private static ExecutionContext ctx(String key, long token) {
    return Emulated.context("INC-7", key, token, false);
  }

  private long size(String path) throws IOException {
    return Files.size(root.resolve(path));
  }

  @Test
  void emptiesEveryFileUnderTheDirectoryOfTheHostNamedByItsComputerNameAndRecordsTheChangeInTheScript()
      throws IOException {
    Path outside = Files.writeString(root.resolve("keep.db"), "z".repeat(300));
    Files.createSymbolicLink(root.resolve("var/log/checkout/link.db"), outside);
    ActionResult r = executor().execute(new Action.TruncateLogs("checkout", "ip-10-0-1-5", "/var/log/checkout"),
        ctx("a", 3));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("emptied 2 files", HOST);
    assertThat(size("var/log/checkout/app.log")).isZero();
    assertThat(size("var/log/checkout/old/app.log.1")).isZero();
    assertThat(size("keep.db")).as("a symbolic link is never followed").isEqualTo(300);
    SsmEmulation.Invocation inv = aws.ssm().invocations().get(0);
    assertThat(inv.documentName()).isEqualTo("AWS-RunShellScript");
    assertThat(inv.instanceId()).isEqualTo(HOST);
    assertThat(inv.commands().get(0)).isEqualTo("# sre-agent truncate-logs key=" + "a".repeat(64) + " fence=3 lock="
        + SsmLogTruncateExecutor.lock(new Action.TruncateLogs("checkout", "ip-10-0-1-5", "/var/log/checkout"))
        + " incident=INC-7");
    assertThat(inv.comment()).startsWith("sre-agent truncate-logs aaaa").hasSizeLessThanOrEqualTo(100);
  }

  @Test
  void theHostIsNamedByInstanceIdOrAddressTooAndARedeliveredKeySendsNothingAgain() throws IOException {
    SsmLogTruncateExecutor e = executor();
    Action.TruncateLogs byId = new Action.TruncateLogs("checkout", HOST, "/var/log/checkout");
    assertThat(e.execute(byId, ctx("b", 1)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    Files.writeString(root.resolve("var/log/checkout/app.log"), "again");
    ActionResult again = e.execute(byId, ctx("b", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already done", "nothing sent again");
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).as("the second delivery ran nothing").isEqualTo(5);
    assertThat(e.reconcile("b".repeat(64))).hasValueSatisfying(x ->
        assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED));
    assertThat(e.reconcile("f".repeat(64))).isEmpty();
    ActionResult byIp = e.execute(new Action.TruncateLogs("checkout", "10.0.1.5", "/var/log/checkout"),
        ctx("c", 2));
    assertThat(byIp.status()).as(byIp.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/checkout/app.log")).isZero();
  }

  @Test
  void aStaleFencingTokenOnTheSameLockIsRejectedBeforeAnythingIsSent() {
    SsmLogTruncateExecutor e = executor();
    assertThat(e.execute(new Action.TruncateLogs("checkout", HOST, "/var/log/checkout"), ctx("d", 5)).status())
        .isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult stale = e.execute(new Action.TruncateLogs("checkout", HOST, "/var/log/checkout"), ctx("e", 4));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 4", "5");
    assertThat(sent()).isEqualTo(1);
    // another lock (another directory) has its own tokens
    ActionResult other = e.execute(new Action.TruncateLogs("checkout", HOST, "/var/log/checkout/old"),
        ctx("f", 4));
    assertThat(other.status()).as(other.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void hostsWithoutTheTagUnknownOrAmbiguousAreRefusedAndNothingIsSent() {
    aws.ssm().addNode("i-0ffffffffffffffff", "db-1", "10.0.9.9", Map.of("team", "data"), this::shell);
    aws.ssm().addNode("i-0000000000000000a", "twin", "10.0.2.1", TAGGED, this::shell);
    aws.ssm().addNode("i-0000000000000000b", "twin.internal", "10.0.2.2", TAGGED, this::shell);
    SsmLogTruncateExecutor e = executor();
    ActionResult untagged = e.execute(new Action.TruncateLogs("db", "db-1", "/var/log/checkout"), ctx("g", 1));
    assertThat(untagged.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(untagged.message()).contains("sre-agent:truncate-logs=allowed");
    assertThat(e.execute(new Action.TruncateLogs("db", "i-0ffffffffffffffff", "/var/log/checkout"), ctx("g", 1))
        .status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(e.execute(new Action.TruncateLogs("x", "nowhere", "/var/log/checkout"), ctx("g", 1)).status())
        .isEqualTo(ActionResult.Status.REJECTED);
    ActionResult twin = e.execute(new Action.TruncateLogs("x", "twin", "/var/log/checkout"), ctx("g", 1));
    assertThat(twin.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(twin.message()).contains("ambiguous", "i-0000000000000000a", "i-0000000000000000b");
    assertThat(sent()).isZero();
    assertThat(e.taggedNodes()).containsExactlyInAnyOrder(HOST, "i-0000000000000000a", "i-0000000000000000b");
  }

  @Test
  void pathsOutsideTheAllowListOrNotNormalisedAreRefusedBeforeAnyCall() {
    SsmLogTruncateExecutor e = executor();
    for (String path : List.of("/etc/", "/var/log/../../etc", "var/log/checkout", "/var/log//x", "/var/lib/mysql",
        "/var/log/a\nb")) {
      ActionResult r = e.execute(new Action.TruncateLogs("checkout", HOST, path), ctx("h", 1));
      assertThat(r.status()).as(path + ": " + r.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    assertThat(aws.calls()).isEmpty();
  }

  @Test
  void aPathTheShellWouldReadAsCodeIsOnlyEverAPath() throws IOException {
    Path pwned = root.resolve("pwned");
    String evil = "/var/log/checkout/x'; touch " + pwned + "; echo '$(touch " + pwned + ")";
    Files.createDirectories(root.resolve(evil.substring(1)));
    Files.writeString(root.resolve(evil.substring(1)).resolve("a.log"), "quoted");
    ActionResult r = executor().execute(new Action.TruncateLogs("checkout", HOST, evil), ctx("i", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(Files.exists(pwned)).as("nothing in the path ran").isFalse();
    assertThat(size(evil.substring(1) + "/a.log")).isZero();
    assertThat(size("var/log/checkout/app.log")).as("only the named directory").isEqualTo(1000);
  }

  @Test
  void anOfflineHostOrADryRunSendsNothing() {
    SsmLogTruncateExecutor e = executor();
    Action.TruncateLogs a = new Action.TruncateLogs("checkout", HOST, "/var/log/checkout");
    ActionResult dry = e.execute(a, Emulated.context("INC-7", "j", 1, true));
    assertThat(dry.status()).as(dry.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    aws.ssm().setPingStatus(HOST, "ConnectionLost");
    ActionResult offline = e.execute(a, ctx("j", 1));
    assertThat(offline.status()).as(offline.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(offline.message()).contains("ConnectionLost", "nothing sent");
    assertThat(sent()).isZero();
  }

  @Test
  void aFailedCommandIsQuotedAndItsKeyMayRunAgain() throws IOException {
    SsmLogTruncateExecutor e = executor();
    Action.TruncateLogs a = new Action.TruncateLogs("cart", HOST, "/var/log/cart");
    ActionResult missing = e.execute(a, ctx("k", 1));
    assertThat(missing.status()).as(missing.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(missing.message()).contains("exited 3", "not a directory reached without symbolic links");
    Files.createDirectories(root.resolve("var/log/cart"));
    ActionResult empty = e.execute(a, ctx("k", 1));
    assertThat(empty.status()).as(empty.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(empty.message()).contains("no regular file");
    Files.writeString(root.resolve("var/log/cart/c.log"), "c".repeat(10));
    ActionResult done = e.execute(a, ctx("k", 1));
    assertThat(done.status()).as(done.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(3);
  }

  @Test
  void anInvocationNotYetVisibleAndSlowToFinishIsWaitedFor() throws IOException {
    aws.ssm().setInvocationLag(2).setCompletionPolls(3);
    ActionResult r = executor().execute(new Action.TruncateLogs("checkout", HOST, "/var/log/checkout"),
        ctx("l", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/checkout/app.log")).isZero();
  }

  @Test
  void aCommandStillRunningAtTheTimeoutIsTimedOutAndItsRedeliveryWaitsForItInsteadOfSendingAgain()
      throws IOException {
    aws.ssm().holdCommands(true);
    SsmLogTruncateExecutor e = executor();
    Action.TruncateLogs a = new Action.TruncateLogs("checkout", HOST, "/var/log/checkout");
    ActionResult first = e.execute(a, ctx("m", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(e.reconcile("m".repeat(64))).hasValueSatisfying(x ->
        assertThat(x.status()).isEqualTo(ActionResult.Status.TIMED_OUT));
    aws.ssm().holdCommands(false);
    aws.ssm().releaseCommands();
    ActionResult again = e.execute(a, ctx("m", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isZero();
  }

  @Test
  void aSendWhoseAnswerWasLostIsFoundByItsRecordOnRedelivery() throws IOException {
    aws.delayNext("SendCommand", Emulated.SSM_LOST_ANSWER);
    SsmLogTruncateExecutor e = executor();
    Action.TruncateLogs a = new Action.TruncateLogs("checkout", HOST, "/var/log/checkout");
    ActionResult lost = e.execute(a, ctx("n", 1));
    assertThat(lost.status()).as(lost.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    Files.writeString(root.resolve("var/log/checkout/app.log"), "after");
    ActionResult again = e.execute(a, ctx("n", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).as("the redelivery ran nothing").isEqualTo(5);
  }

  @Test
  void aScopeOfAnotherTagCommandsOnlyHostsWithThatTag() {
    SsmLogTruncateExecutor e = SsmLogTruncateExecutor.builder(ssm).setClock(clock)
        .setNodeTag("aws:ecs:clusterName", "shop").build();
    ActionResult r = e.execute(new Action.TruncateLogs("checkout", HOST, "/var/log/checkout"), ctx("o", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("aws:ecs:clusterName=shop");
  }
}
