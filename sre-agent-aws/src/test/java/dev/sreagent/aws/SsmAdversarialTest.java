package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.SsmEmulation;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * Attacks on {@link SsmLogTruncateExecutor} and {@link dev.sreagent.api.LogPaths}, against the emulated SSM whose
 * hosts run the scripts in a real {@code sh}. Tests marked {@code @Disabled("DEFECT: ...")} assert the correct
 * behaviour the executor does not have yet.
 */
class SsmAdversarialTest {
  private static final String HOST = "i-0a1b2c3d4e5f60718";
  private static final Map<String, String> TAGGED = Map.of("sre-agent:truncate-logs", "allowed");
  private static final String DIR = "/var/log/checkout";

  @TempDir Path root;
  private AwsEmulator aws;
  private SsmClient ssm;
  private final RealShell.Stepping clock = new RealShell.Stepping();
  private final AtomicLong stateOffset = new AtomicLong();
  /** Extra environment (PATH) for the hosts' shells. */
  private volatile Map<String, String> shellEnv = Map.of();

  @BeforeEach
  void start() throws IOException {
    aws = AwsEmulator.start("eu-west-1");
    aws.setStateClock(() -> Instant.now().plusMillis(stateOffset.get()));
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

  private SsmEmulation.Execution shell(String instanceId, List<String> commands) {
    return shellIn(root, commands);
  }

  /** A host's shell: the script run by a real sh, with /var/log/ under {@code base}. */
  private SsmEmulation.Execution shellIn(Path base, List<String> commands) {
    return RealShell.run(base, commands, shellEnv);
  }

  private SsmLogTruncateExecutor executor() {
    return executor(ssm);
  }

  private SsmLogTruncateExecutor executor(SsmClient client) {
    return SsmLogTruncateExecutor.builder(client).setClock(clock).setPollInterval(Duration.ofSeconds(2))
        .setCommandTimeout(Duration.ofSeconds(30)).build();
  }

  /** Commands the emulated SSM accepted (one invocation per command here). */
  private int sent() {
    return aws.ssm().invocations().size();
  }

  private static ExecutionContext ctx(String key, long token) {
    return Emulated.context("INC-7", key, token, false);
  }

  private static String k(String key) {
    return key.repeat(64 / key.length());
  }

  private long size(String path) throws IOException {
    return Files.size(root.resolve(path));
  }

  private static Action.TruncateLogs truncate(String host, String path) {
    return new Action.TruncateLogs("checkout", host, path);
  }

  /** Sends {@code commands} to {@code instanceId} as someone else would (not through the executor). */
  private void sendRaw(String instanceId, List<String> commands) {
    ssm.sendCommand(b -> b.documentName("AWS-RunShellScript").instanceIds(instanceId)
        .parameters(Map.of("commands", commands)));
  }

  /** {@code ssm} whose GetCommandInvocation answers pass through {@code rewrite}. */
  private SsmClient rewriting(UnaryOperator<GetCommandInvocationResponse> rewrite) {
    SsmClient real = ssm;
    return (SsmClient) Proxy.newProxyInstance(SsmClient.class.getClassLoader(), new Class<?>[] {SsmClient.class},
        (proxy, m, args) -> {
          if (m.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
            return InvocationHandler.invokeDefault(proxy, m, args);
          }
          try {
            Object out = m.invoke(real, args);
            return out instanceof GetCommandInvocationResponse r ? rewrite.apply(r) : out;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static UnaryOperator<GetCommandInvocationResponse> finishedAs(String status, String details) {
    return r -> List.of("Success", "Failed").contains(r.statusAsString())
        ? r.toBuilder().status(status).statusDetails(details).build() : r;
  }

  // ---------------------------------------------------------------- paths

  @Test
  void aSymlinkInAnIntermediateComponentNeverLeadsOutsideTheAllowList() throws IOException {
    Path secrets = Files.createDirectories(root.resolve("secrets/ssl"));
    Files.writeString(secrets.resolve("key.pem"), "k".repeat(200));
    Files.createSymbolicLink(root.resolve("var/log/evil"), root.resolve("secrets"));
    ActionResult r = executor().execute(truncate(HOST, "/var/log/evil/ssl"), ctx("a", 1));
    assertThat(size("secrets/ssl/key.pem")).as(r.status() + ": " + r.message()).isEqualTo(200);
    assertThat(r.status()).isNotEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void aSymlinkedDirectoryNamedWithATrailingSlashIsStillNotFollowed() throws IOException {
    Path secrets = Files.createDirectories(root.resolve("secrets"));
    Files.writeString(secrets.resolve("passwd"), "p".repeat(200));
    Files.createSymbolicLink(root.resolve("var/log/evil"), secrets);
    SsmLogTruncateExecutor e = executor();
    ActionResult slash = e.execute(truncate(HOST, "/var/log/evil/"), ctx("b", 1));
    assertThat(slash.status()).as(slash.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(slash.message()).contains("exited 3", "not a directory reached without symbolic links");
    ActionResult plain = e.execute(truncate(HOST, "/var/log/evil"), ctx("c", 1));
    assertThat(plain.status()).as(plain.message()).isEqualTo(ActionResult.Status.FAILED);
    for (String p : List.of("/var/log/evil/.", "/var/log/evil/./", "/var/log/checkout/../evil")) {
      ActionResult r = e.execute(truncate(HOST, p), ctx("d", 1));
      assertThat(r.status()).as(p + ": " + r.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    assertThat(size("secrets/passwd")).isEqualTo(200);
  }

  @Test
  void aPathEndingInTwoSlashesIsRejectedAndNeverFollowsASymlink() throws IOException {
    Path secrets = Files.createDirectories(root.resolve("secrets"));
    Files.writeString(secrets.resolve("passwd"), "p".repeat(200));
    Files.createSymbolicLink(root.resolve("var/log/evil"), secrets);
    ActionResult r = executor().execute(truncate(HOST, "/var/log/evil//"), ctx("b", 1));
    assertThat(size("secrets/passwd")).as(r.status() + ": " + r.message()).isEqualTo(200);
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
  }

  @Test
  void c1ControlCharactersInThePathAreRejected() {
    SsmLogTruncateExecutor e = executor();
    for (String p : List.of("/var/log/checkout\u009b31m", "/var/log/check\u0085out")) {
      ActionResult r = e.execute(truncate(HOST, p), ctx("e", 1));
      assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    assertThat(aws.calls()).isEmpty();
  }

  @Test
  void globsBackticksBracesDashesAndLookalikeSlashesInThePathStayLiteral() throws IOException {
    Path pwned = root.resolve("pwned");
    SsmLogTruncateExecutor e = executor();
    List<String> paths = List.of("/var/log/*", "/var/log/checkout/*.log", "/var/log/checkout/`touch " + pwned + "`",
        "/var/log/checkout/$(touch " + pwned + ")", "/var/log/{checkout,x}", "/var/log/~", "/var/log/check?ut",
        "/var/log\u2215..\u2215..\u2215etc", "/var/log/checkout/\"; touch " + pwned + " #");
    for (String p : paths) {
      ActionResult r = e.execute(truncate(HOST, p), ctx("f", 1));
      assertThat(r.status()).as(p + ": " + r.message()).isIn(ActionResult.Status.FAILED,
          ActionResult.Status.REJECTED);
    }
    assertThat(Files.exists(pwned)).isFalse();
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
    // a directory literally named like an option is only a directory
    Files.createDirectories(root.resolve("var/log/-delete"));
    Files.writeString(root.resolve("var/log/-delete/a.log"), "abc");
    ActionResult dash = e.execute(truncate(HOST, "/var/log/-delete"), ctx("g", 1));
    assertThat(dash.status()).as(dash.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/-delete/a.log")).isZero();
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
  }

  // ---------------------------------------------------------------- key, incident, host

  @Test
  void nothingFromTheKeyIncidentOrHostReachesTheShellAndAnUnsafeKeyIsStillFoundOnRedelivery() throws IOException {
    Path pwned = root.resolve("pwned");
    String key = "k'$(touch " + pwned + ")`touch " + pwned + "` fence=999 lock=x\"; touch " + pwned;
    String incident = "INC\n$(touch " + pwned + ") fence=1000";
    SsmLogTruncateExecutor e = executor();
    ExecutionContext c = new ExecutionContext(incident, key, 1, false);
    ActionResult r = e.execute(truncate(HOST, DIR), c);
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(Files.exists(pwned)).isFalse();
    String first = aws.ssm().invocations().get(0).commands().get(0);
    assertThat(first).doesNotContain("$", "`", "'", "fence=999", "fence=1000").contains("key=sha256-",
        "fence=1 ");
    Files.writeString(root.resolve("var/log/checkout/app.log"), "again");
    assertThat(e.execute(truncate(HOST, DIR), c).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(5);
    assertThat(e.reconcile(key)).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.SUCCEEDED));
    // a very long safe key is hashed too, consistently
    String longKey = "a".repeat(5000);
    assertThat(e.execute(truncate(HOST, "/var/log/checkout/old"), new ExecutionContext("INC-7", longKey, 1, false))
        .status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(e.reconcile(longKey)).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.SUCCEEDED));
    for (String host : List.of(HOST + ";touch " + pwned, "$(touch " + pwned + ")", "*", "-" + HOST, HOST + "\n",
        "i-0a1b2c3d4e5f6071*", "ip-10-0-1-5.", "10.0.1.5 ", "IP-10-0-1-5.EU-WEST-1", "x".repeat(10_000))) {
      ActionResult h = e.execute(truncate(host, DIR), ctx("h", 2));
      assertThat(h.status()).as(host + ": " + h.message()).isEqualTo(ActionResult.Status.REJECTED);
    }
    assertThat(Files.exists(pwned)).isFalse();
    assertThat(sent()).isEqualTo(2);
  }

  @Test
  void aKeyTheHttpHeaderCannotCarryIsStillCarriedOut() throws IOException {
    SsmLogTruncateExecutor e = executor();
    int n = 0;
    for (String key : List.of("cl\u00e9-\u00fc-" + k("M"), "k\r\nX-Injected: 1\n" + k("N"))) {
      Files.writeString(root.resolve("var/log/checkout/app.log"), "x");
      ActionResult r = e.execute(truncate(HOST, DIR), new ExecutionContext("INC-7", key, 1, false));
      assertThat(r.status()).as(key + ": " + r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(sent()).isEqualTo(++n);
      assertThat(size("var/log/checkout/app.log")).isZero();
    }
  }

  @Test
  void aHostMatchingOneNodeByNameAndAnotherByAddressIsAmbiguous() {
    aws.ssm().addNode("i-0000000000000000a", "10.0.1.5", "10.0.7.7", TAGGED, this::shell);
    aws.ssm().addNode("i-0000000000000000b", HOST, "10.0.7.8", TAGGED, this::shell);
    SsmLogTruncateExecutor e = executor();
    ActionResult byIp = e.execute(truncate("10.0.1.5", DIR), ctx("i", 1));
    assertThat(byIp.status()).as(byIp.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(byIp.message()).contains("ambiguous", HOST, "i-0000000000000000a");
    ActionResult byId = e.execute(truncate(HOST, DIR), ctx("i", 1));
    assertThat(byId.status()).as(byId.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(byId.message()).contains("ambiguous");
    assertThat(sent()).isZero();
  }

  @Test
  void aUnicodeLookalikeHostNamesNoNode() {
    aws.ssm().addNode("i-0000000000000000c", "kafka-1", "10.0.3.1", TAGGED, this::shell);
    ActionResult r = executor().execute(truncate("\u212Aafka-1", DIR), ctx("j", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(sent()).isZero();
  }

  // ---------------------------------------------------------------- the same key again

  @Test
  void theSameKeyForAnotherPathIsNotReportedAsDone() throws IOException {
    SsmLogTruncateExecutor e = executor();
    assertThat(e.execute(truncate(HOST, "/var/log/checkout/old"), ctx("l", 1)).status())
        .isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult other = e.execute(truncate(HOST, DIR), ctx("l", 1));
    assertThat(other.status()).as(other.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
  }

  @Test
  void theSameKeyOnAnotherNodeChangesNothingASecondTime() throws IOException {
    Path other = Files.createDirectories(root.resolve("other"));
    Files.createDirectories(other.resolve("var/log/checkout"));
    Files.writeString(other.resolve("var/log/checkout/app.log"), "o".repeat(100));
    aws.ssm().addNode("i-0000000000000000d", "web-2", "10.0.4.1", TAGGED, (id, cmds) -> shellIn(other, cmds));
    SsmLogTruncateExecutor e = executor();
    assertThat(e.execute(truncate(HOST, DIR), ctx("m", 1)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    ActionResult second = e.execute(truncate("web-2", DIR), ctx("m", 1));
    assertThat(sent()).as(second.status() + ": " + second.message()).isEqualTo(1);
    assertThat(Files.size(other.resolve("var/log/checkout/app.log"))).isEqualTo(100);
    assertThat(second.status()).isEqualTo(ActionResult.Status.REJECTED);
  }

  // ---------------------------------------------------------------- forged history

  @Test
  void aForgedRecordWithAHigherFenceFailsClosed() throws IOException {
    String lock = SsmLogTruncateExecutor.lock(truncate(HOST, DIR));
    sendRaw(HOST, List.of(SsmLogTruncateExecutor.HEADER + " key=forged fence=99 lock=" + lock + " incident=x",
        "true"));
    ActionResult r = executor().execute(truncate(HOST, DIR), ctx("n", 5));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("fencing token 5", "99");
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
    // a malformed record (unparsable or overflowing fence, no lock) is ignored, not trusted
    sendRaw(HOST, List.of(SsmLogTruncateExecutor.HEADER + " key=" + k("o") + " fence=99999999999999999999 lock="
        + lock, "echo /var/log/checkout/app.log"));
    sendRaw(HOST, List.of(SsmLogTruncateExecutor.HEADER + " key=" + k("o") + " fence=100",
        "echo /var/log/checkout/app.log"));
    ActionResult o = executor().execute(truncate(HOST, "/var/log/checkout/old"), ctx("o", 1));
    assertThat(o.status()).as(o.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(o.message()).doesNotContain("already done");
    assertThat(size("var/log/checkout/old/app.log.1")).isZero();
  }

  @Test
  void aForgedCommandCopyingTheRecordLineIsNotTakenForTheTruncation() throws IOException {
    String line = SsmLogTruncateExecutor.recordLine(k("p"), 1, SsmLogTruncateExecutor.lock(truncate(HOST, DIR)),
        "INC-7");
    sendRaw(HOST, List.of(line, "echo /var/log/checkout/app.log"));
    ActionResult r = executor().execute(truncate(HOST, DIR), ctx("p", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/checkout/app.log")).isZero();
  }

  // ---------------------------------------------------------------- fences

  @Test
  void equalFencesUnderDifferentKeysBothRunAndALowerOneIsRejected() throws IOException {
    SsmLogTruncateExecutor e = executor();
    assertThat(e.execute(truncate(HOST, DIR), ctx("q", 5)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    Files.writeString(root.resolve("var/log/checkout/app.log"), "more");
    ActionResult same = e.execute(truncate(HOST, DIR), ctx("r", 5));
    assertThat(same.status()).as(same.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/checkout/app.log")).isZero();
    ActionResult lower = e.execute(truncate(HOST, DIR), ctx("s", 4));
    assertThat(lower.status()).as(lower.message()).isEqualTo(ActionResult.Status.REJECTED);
    // a never-delivered command with a higher fence still counts: fail closed
    aws.ssm().setPingStatus(HOST, "ConnectionLost");
    sendRaw(HOST, List.of(SsmLogTruncateExecutor.HEADER + " key=" + k("t") + " fence=7 lock="
        + SsmLogTruncateExecutor.lock(truncate(HOST, DIR)) + " incident=x", "true"));
    stateOffset.addAndGet(Duration.ofHours(2).toMillis());
    aws.ssm().setPingStatus(HOST, "Online");
    ActionResult six = e.execute(truncate(HOST, DIR), ctx("u", 6));
    assertThat(six.status()).as(six.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(sent()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- redelivery after each terminal status

  @Test
  void aNodeLostBetweenTheChecksLeavesItsCommandPendingWhichIsSentAgainOnlyAfterItsDeliveryTimedOut()
      throws IOException {
    SsmLogTruncateExecutor e = executor();
    clock.onNow = () -> aws.ssm().setPingStatus(HOST, "ConnectionLost");  // after DescribeInstanceInformation
    ActionResult first = e.execute(truncate(HOST, DIR), ctx("v", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(sent()).isEqualTo(1);
    assertThat(e.reconcile(k("v"))).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.TIMED_OUT));
    ActionResult stillLost = e.execute(truncate(HOST, DIR), ctx("v", 1));
    assertThat(stillLost.status()).as(stillLost.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(sent()).isEqualTo(1);
    stateOffset.addAndGet(61_000);
    aws.ssm().setPingStatus(HOST, "Online");
    assertThat(aws.ssm().invocations().get(0).statusDetails()).isEqualTo("DeliveryTimedOut");
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
    assertThat(e.reconcile(k("v"))).isEmpty();
    ActionResult again = e.execute(truncate(HOST, DIR), ctx("v", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(size("var/log/checkout/app.log")).isZero();
    Files.writeString(root.resolve("var/log/checkout/app.log"), "after");
    ActionResult third = e.execute(truncate(HOST, DIR), ctx("v", 1));
    assertThat(third.status()).as(third.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(2);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(5);
  }

  /** A {@code truncate} on the host's PATH that refuses files named *.locked and empties the others. */
  private void lockedFilesCannotBeTruncated() throws IOException {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path t = bin.resolve("truncate");
    Files.writeString(t, """
        #!/bin/sh
        rc=0; files=0
        for a in "$@"; do
          if [ "$files" = 1 ]; then
            case "$a" in
              *.locked) echo "truncate: cannot open '$a' for writing: Operation not permitted" >&2; rc=1 ;;
              *) /usr/bin/truncate -s 0 -- "$a" || rc=1 ;;
            esac
          elif [ "$a" = "--" ]; then files=1; fi
        done
        exit $rc
        """);
    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
    shellEnv = Map.of("PATH", bin + ":" + System.getenv("PATH"));
  }

  @Test
  void aPartlyFailedTruncationIsNotRunAgainUnderItsKey() throws IOException {
    lockedFilesCannotBeTruncated();
    Files.writeString(root.resolve("var/log/checkout/db.locked"), "l".repeat(50));
    SsmLogTruncateExecutor e = executor();
    ActionResult first = e.execute(truncate(HOST, DIR), ctx("w", 1));
    assertThat(size("var/log/checkout/app.log")).as("the change took place").isZero();
    assertThat(first.status()).as(first.message()).isNotEqualTo(ActionResult.Status.FAILED);
    Files.writeString(root.resolve("var/log/checkout/app.log"), "new");
    ActionResult again = e.execute(truncate(HOST, DIR), ctx("w", 1));
    assertThat(sent()).as(again.status() + ": " + again.message()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(3);
  }

  @Test
  void anInvocationThatTimedOutInExecutionIsNeverSentAgainUnderItsKey() throws IOException {
    SsmLogTruncateExecutor e = executor(rewriting(finishedAs("TimedOut", "ExecutionTimedOut")));
    ActionResult first = e.execute(truncate(HOST, DIR), ctx("x", 1));
    assertThat(first.status()).as(first.message()).isNotEqualTo(ActionResult.Status.SUCCEEDED);
    Files.writeString(root.resolve("var/log/checkout/app.log"), "new");
    ActionResult again = e.execute(truncate(HOST, DIR), ctx("x", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(3);
    assertThat(e.reconcile(k("x"))).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.TIMED_OUT));
  }

  @Test
  void anInvocationThatTimedOutInExecutionIsAnsweredTimedOutNotFailed() {
    SsmLogTruncateExecutor e = executor(rewriting(finishedAs("TimedOut", "ExecutionTimedOut")));
    ActionResult first = e.execute(truncate(HOST, DIR), ctx("y", 1));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
  }

  @Test
  void aCommandCancelledWhileRunningIsNotSentAgain() throws IOException {
    SsmClient cancelled = rewriting(r -> List.of("Success", "Failed").contains(r.statusAsString())
        ? r.toBuilder().status("Cancelled").statusDetails("Cancelled").build() : r);
    SsmLogTruncateExecutor e = executor(cancelled);
    ActionResult first = e.execute(truncate(HOST, DIR), ctx("z", 1));
    assertThat(size("var/log/checkout/app.log")).isZero();
    assertThat(first.message()).doesNotContain("never ran");
    Files.writeString(root.resolve("var/log/checkout/app.log"), "new");
    ActionResult again = e.execute(truncate(HOST, DIR), ctx("z", 1));
    assertThat(sent()).as(again.status() + ": " + again.message()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(3);
  }

  // ---------------------------------------------------------------- errors and timeouts at each call

  @Test
  void throttlingBeforeTheSendIsFailedAndSendsNothingAndTheKeyStillRunsOnceLater() throws IOException {
    SsmLogTruncateExecutor e = executor();
    for (String op : List.of("DescribeInstanceInformation", "ListCommands", "SendCommand")) {
      aws.failNext(op, 400, "ThrottlingException", "Rate exceeded");
      ActionResult r = e.execute(truncate(HOST, DIR), ctx("A", 1));
      assertThat(r.status()).as(op + ": " + r.message()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(r.message()).contains("ThrottlingException");
      assertThat(sent()).isZero();
    }
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
    assertThat(e.execute(truncate(HOST, DIR), ctx("A", 1)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(1);
  }

  @Test
  void anErrorAfterTheSendIsNotReportedAsNothingHappened() throws IOException {
    aws.failNext("GetCommandInvocation", 400, "ThrottlingException", "Rate exceeded");
    ActionResult r = executor().execute(truncate(HOST, DIR), ctx("B", 1));
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isZero();
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
  }

  @Test
  void anErrorAfterTheSendNeverLeadsToASecondTruncationUnderTheKey() throws IOException {
    SsmLogTruncateExecutor e = executor();
    aws.failNext("GetCommandInvocation", 500, "InternalServerError", "boom");
    e.execute(truncate(HOST, DIR), ctx("C", 1));
    Files.writeString(root.resolve("var/log/checkout/app.log"), "new");
    ActionResult again = e.execute(truncate(HOST, DIR), ctx("C", 1));
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(1);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(3);
  }

  @Test
  void aTimeoutAtAnyCallIsTimedOutAndNeverBecomesASecondTruncation() throws IOException {
    SsmLogTruncateExecutor e = executor();
    for (String op : List.of("DescribeInstanceInformation", "ListCommands")) {
      aws.delayNext(op, Emulated.SSM_LOST_ANSWER);
      ActionResult r = e.execute(truncate(HOST, DIR), ctx("D", 1));
      assertThat(r.status()).as(op + ": " + r.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
      assertThat(sent()).isZero();
    }
    aws.delayNext("GetCommandInvocation", Emulated.SSM_LOST_ANSWER);
    ActionResult lostRead = e.execute(truncate(HOST, DIR), ctx("D", 1));
    assertThat(lostRead.status()).as(lostRead.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(e.reconcile(k("D"))).isPresent();
    Files.writeString(root.resolve("var/log/checkout/app.log"), "new");
    assertThat(e.execute(truncate(HOST, DIR), ctx("D", 1)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    // a lost SendCommand answer: reconcile sees the command, so nothing reruns it
    aws.delayNext("SendCommand", Emulated.SSM_LOST_ANSWER);
    ActionResult lostSend = e.execute(truncate(HOST, DIR), ctx("E", 2));
    assertThat(lostSend.status()).as(lostSend.message()).isEqualTo(ActionResult.Status.TIMED_OUT);
    assertThat(e.reconcile(k("E"))).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.SUCCEEDED));
    Files.writeString(root.resolve("var/log/checkout/app.log"), "newer");
    assertThat(e.execute(truncate(HOST, DIR), ctx("E", 2)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(sent()).isEqualTo(2);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(5);
  }

  // ---------------------------------------------------------------- dry runs

  @Test
  void aDryRunSendsNothingWhateverTheHistory() throws IOException {
    SsmLogTruncateExecutor e = executor();
    ExecutionContext dry = Emulated.context("INC-7", "F", 1, true);
    assertThat(e.execute(truncate(HOST, DIR), dry).status()).isEqualTo(ActionResult.Status.DRY_RUN);
    ActionResult missing = e.execute(truncate(HOST, "/var/log/cart"), ctx("F", 1));
    assertThat(missing.status()).isEqualTo(ActionResult.Status.FAILED);
    ActionResult dryAfterFailed = e.execute(truncate(HOST, "/var/log/cart"), dry);
    assertThat(dryAfterFailed.status()).as(dryAfterFailed.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    aws.ssm().holdCommands(true);
    assertThat(e.execute(truncate(HOST, DIR), ctx("G", 1)).status()).isEqualTo(ActionResult.Status.TIMED_OUT);
    ActionResult dryWhilePending = e.execute(truncate(HOST, DIR), Emulated.context("INC-7", "G", 1, true));
    assertThat(dryWhilePending.status()).as(dryWhilePending.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(sent()).isEqualTo(2);
    assertThat(size("var/log/checkout/app.log")).isEqualTo(1000);
  }

  // ---------------------------------------------------------------- pages

  @Test
  void nodesAndCommandsBeyondTheFirstPageAreFound() throws IOException {
    for (int n = 1; n <= 60; n++) {
      aws.ssm().addNode(String.format("i-%017x", n), "web-" + n + ".internal", "10.1.0." + n, TAGGED, this::shell);
    }
    SsmLogTruncateExecutor e = executor();
    assertThat(e.taggedNodes()).hasSize(61);
    ActionResult far = e.execute(truncate("web-57", "/var/log/checkout/old"), ctx("H", 1));
    assertThat(far.status()).as(far.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(aws.ssm().invocations().get(0).instanceId()).isEqualTo(String.format("i-%017x", 57));
    ActionResult twin = e.execute(truncate("web-5", DIR), ctx("I", 1));
    assertThat(twin.status()).isEqualTo(ActionResult.Status.SUCCEEDED);  // web-5 is not web-57 nor web-50
    assertThat(aws.ssm().invocations().get(1).instanceId()).isEqualTo(String.format("i-%017x", 5));

    assertThat(e.execute(truncate(HOST, DIR), ctx("J", 9)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    List<String> filler = new ArrayList<>();
    filler.add("true");
    for (int i = 0; i < 60; i++) {
      sendRaw(HOST, filler);
    }
    Files.writeString(root.resolve("var/log/checkout/app.log"), "again");
    ActionResult redelivered = e.execute(truncate(HOST, DIR), ctx("J", 9));
    assertThat(redelivered.status()).as(redelivered.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(redelivered.message()).contains("already done");
    assertThat(size("var/log/checkout/app.log")).isEqualTo(5);
    ActionResult stale = e.execute(truncate(HOST, DIR), ctx("K", 8));
    assertThat(stale.status()).as(stale.message()).isEqualTo(ActionResult.Status.REJECTED);
    Optional<ActionResult> rec = e.reconcile(k("J"));
    assertThat(rec).hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED));
    assertThat(e.reconcile(k("H"))).hasValueSatisfying(x -> assertThat(x.status())
        .isEqualTo(ActionResult.Status.SUCCEEDED));
    assertThat(sent()).isEqualTo(63);
  }

  // ---------------------------------------------------------------- reconcile

  @Test
  void reconcileOfOddKeysFindsNothingAndNeverThrows() {
    SsmLogTruncateExecutor e = executor();
    assertThat(e.execute(truncate(HOST, DIR), ctx("L", 1)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    for (String key : List.of("x\n$(touch /tmp/x)", "key=" + k("L"), k("L") + " ", k("L").toLowerCase(),
        "sha256-", "\u0000", "é".repeat(500), k("L").substring(1))) {
      assertThat(e.reconcile(key)).as(key).isEmpty();
    }
    assertThat(e.reconcile(k("L"))).isPresent();
  }
}
