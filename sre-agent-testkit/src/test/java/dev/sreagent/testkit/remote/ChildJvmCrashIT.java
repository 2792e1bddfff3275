package dev.sreagent.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.testkit.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the agent's JVM (SIGKILL) at random points — between ticks, and right after an action took effect on the
 * cluster but before the agent heard back — at least 50 times, restarting it from its audit log each time, while
 * a simulated cluster in this JVM keeps its state and injects faults. The audit log is keyed, so a kill between a
 * record's append and the head update is recovered on restart (and audited); after some kills the test leaves that
 * state on disk itself (the head one record behind), since random kills rarely hit that window. Afterwards: no action took effect
 * twice, every delivery of an action was its first, the audit chain and its MACs verify, and every incident ended.
 */
class ChildJvmCrashIT {
  private static final Duration STEP = Duration.ofSeconds(15);
  private static final Duration LENGTH = Duration.ofHours(11);
  private static final Duration QUIET_END = Duration.ofMinutes(90);

  private static Map<Duration, Fault> schedule() {
    Map<Duration, Fault> s = new LinkedHashMap<>();
    List<Fault> rotation = List.of(
        new Fault.ExpiringCertificate("payments", Duration.ofDays(9)),
        new Fault.BadDeploy("cart", 0.15, Duration.ZERO),
        new Fault.MemoryLeak("email", 0.05),
        new Fault.ExpiringCertificate("frontend", Duration.ofDays(5)),
        new Fault.BadDeploy("shipping", 0.2, Duration.ZERO),
        new Fault.ExpiringCertificate("ads", Duration.ofDays(7)));
    int i = 0;
    for (Duration at = Duration.ofMinutes(45); at.compareTo(LENGTH.minus(QUIET_END)) < 0;
        at = at.plus(Duration.ofMinutes(50))) {
      s.put(at, rotation.get(i++ % rotation.size()));
    }
    return s;
  }

  private static @Nullable String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Puts back {@code previousHead} when it covers all but the last complete line of the log: what a kill between
   * the append of that line and the head update leaves.
   */
  private static boolean emulateKillBeforeTheHeadUpdate(Path audit, Path head, String previousHead)
      throws IOException {
    String current = Files.readString(head, StandardCharsets.UTF_8);
    long complete = Files.readString(audit, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
    long now = Long.parseLong(current.split(" ")[0]);
    long before = Long.parseLong(previousHead.split(" ")[0]);
    if (now != complete || before != now - 1) {
      return false;
    }
    Files.writeString(head, previousHead, StandardCharsets.UTF_8);
    return true;
  }

  @Test
  void fiftyRandomKillsNeverDuplicateAnActionNorBreakTheAuditChain(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    Path keyFile = dir.resolve("audit.key");
    Files.writeString(keyFile, "Y2hpbGQtanZtLWNyYXNoLXRlc3Qta2V5LTMyLWJ5dGVz\n");
    AuditKey key = AuditKey.fromFile(keyFile);
    Random rng = new Random(2026);
    Path head = dir.resolve("audit.jsonl.head");
    Random tails = new Random(12);
    int kills = 0;
    int killsAfterEffect = 0;
    int crashTails = 0;
    int runs = 0;
    long totalSteps = LENGTH.dividedBy(STEP);
    long lastKillStep = LENGTH.minus(QUIET_END).dividedBy(STEP);
    try (ClusterServer server = new ClusterServer(7, STEP, LENGTH, schedule())) {
      AtomicReference<Process> current = new AtomicReference<>();
      AtomicBoolean killOnEffect = new AtomicBoolean();
      AtomicBoolean killedOnEffect = new AtomicBoolean();
      server.setAfterEffect(() -> {
        if (killOnEffect.getAndSet(false)) {
          Process p = current.get();
          if (p != null) {
            p.destroyForcibly();
            killedOnEffect.set(true);
          }
        }
      });
      while (!server.finished()) {
        runs++;
        boolean mayKill = server.steps() < lastKillStep;
        int lifetime = mayKill ? 15 + rng.nextInt(45) : Integer.MAX_VALUE;
        killOnEffect.set(mayKill && rng.nextInt(3) == 0);
        killedOnEffect.set(false);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            RemoteAgentMain.class.getName(), server.baseUrl(), audit.toString(), keyFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent-" + runs + ".log").toFile())
            .start();
        current.set(p);
        int start = server.steps();
        @Nullable String seenHead = readQuietly(head);
        @Nullable String previousHead = null;
        while (p.isAlive()) {
          if (server.steps() - start >= lifetime) {
            p.destroyForcibly();
            break;
          }
          String h = readQuietly(head);
          if (h != null && !h.equals(seenHead)) {
            previousHead = seenHead;
            seenHead = h;
          }
          Thread.sleep(2);
        }
        int exit = p.waitFor();
        killOnEffect.set(false);
        if (exit != 0) {
          kills++;
          if (killedOnEffect.get()) {
            killsAfterEffect++;
          }
          // A kill between a record's append and the head update is a window of microseconds that random kills
          // rarely hit; leave that state on disk now and then: the head one record behind the last complete line.
          if (tails.nextInt(3) == 0 && previousHead != null && emulateKillBeforeTheHeadUpdate(audit, head,
              previousHead)) {
            crashTails++;
          }
        }
        assertThat(runs).as("runs stay bounded (a run that never advances would loop)").isLessThan(500);
      }
      assertThat(kills).as("kills").isGreaterThanOrEqualTo(50);
      assertThat(server.steps()).isEqualTo(totalSteps);
      assertThat(server.cluster().oracle().violations()).as("oracle").isEmpty();
      assertThat(server.cluster().executor().deliveries().values()).as("every delivery was the first")
          .allMatch(n -> n == 1);
      assertThat(server.cluster().executor().applied()).as("actions taken").isNotEmpty();

      long recoveredTails;
      try (HashChainedAuditLog log = HashChainedAuditLog.builder().setFile(audit).setKey(key).build()) {
        assertThat(log.verify().intact()).isTrue();
        List<AuditRecord> records = log.records();
        assertThat(records).noneMatch(r -> r.entry().type().equals(AuditTypes.AUDIT_TAIL_ACCEPTED));
        recoveredTails = records.stream().filter(r -> r.entry().type().equals(AuditTypes.AUDIT_TAIL_RECOVERED))
            .count();
        assertThat(recoveredTails).as("every kill before a head update was recovered and audited")
            .isGreaterThanOrEqualTo(crashTails);
        if (killsAfterEffect > 0) {
          assertThat(records).as("a killed action was reconciled on restart, not repeated")
              .anyMatch(r -> r.entry().type().equals(AuditTypes.ACTION_RECONCILED));
        }
      }
      try (SreAgent replayed = SreAgent.builder().setAuditFile(audit).setAuditKey(key).setDiscovery(false)
          .build()) {
        List<Incident> incidents = replayed.incidents();
        assertThat(incidents).isNotEmpty();
        assertThat(incidents).allSatisfy(i -> assertThat(i.state().isTerminal()).as(i.id() + " " + i.state())
            .isTrue());
        System.out.printf("crash test: %d runs, %d kills (%d right after an action took effect, %d left between an"
            + " audit append and the head update), %d audited tail recoveries, %d incidents, %d actions applied, %d"
            + " simulated hours%n", runs, kills, killsAfterEffect, crashTails, recoveredTails, incidents.size(),
            server.cluster().executor().applied().size(), LENGTH.toHours());
      }
    }
  }
}
