package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.remote.ClusterServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Three agent processes ({@link ShardedAgentMain}) over one simulated cluster ({@link ClusterServer} in lockstep:
 * every agent reads the same telemetry), sharing etcd membership and etcd locks, each with its own audit file; an
 * incident storm; the agent that takes the second action is SIGKILLed right after the action took effect, before it
 * heard back. Afterwards: every action was delivered once, no incident was handled or notified by two live agents
 * (only the killed agent's unfinished incidents by it and a survivor), every audit file verifies, and the killed
 * agent's registration was gone (its services moved) within a measured time.
 */
class ShardedAgentsStormIT {
  private static final Duration STEP = Duration.ofSeconds(15);
  private static final Duration LENGTH = Duration.ofHours(4);
  private static final List<String> AGENTS = List.of("a", "b", "c");

  private static Map<Duration, Fault> storm() {
    Map<Duration, Fault> s = new LinkedHashMap<>();
    List<Fault> rotation = List.of(
        new Fault.BadDeploy("cart", 0.15, Duration.ZERO),
        new Fault.ExpiringCertificate("payments", Duration.ofDays(9)),
        new Fault.BadDeploy("shipping", 0.2, Duration.ZERO),
        new Fault.ExpiringCertificate("ads", Duration.ofDays(7)),
        new Fault.MemoryLeak("email", 0.05),
        new Fault.ExpiringCertificate("frontend", Duration.ofDays(5)));
    int i = 0;
    for (Duration at = Duration.ofMinutes(40); at.compareTo(LENGTH.minus(Duration.ofMinutes(90))) < 0;
        at = at.plus(Duration.ofMinutes(15))) {
      s.put(at, rotation.get(i++ % rotation.size()));
    }
    return s;
  }

  @Test
  void threeAgentsShareAStormAndOneKilledMidRemediationLosesNothingAndRepeatsNothing() throws Exception {
    Path dir = Files.createTempDirectory("storm-it"); // kept: the agents' logs, audit files and notifications
    String prefix = "/storm-it/" + UUID.randomUUID() + "/";
    try (EtcdServer etcd = EtcdServer.shared();
        ClusterServer server = new ClusterServer(11, STEP, LENGTH, storm());
        Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
      server.expectAgents(AGENTS);
      Map<String, Process> processes = new HashMap<>();
      AtomicReference<String> killed = new AtomicReference<>();
      AtomicLong killedAt = new AtomicLong();
      AtomicInteger effects = new AtomicInteger();
      server.setAfterEffectOf(agent -> {
        if (effects.incrementAndGet() == 2 && processes.containsKey(agent) && killed.compareAndSet(null, agent)) {
          processes.get(agent).destroyForcibly(); // SIGKILL, right after its action took effect
          killedAt.set(System.nanoTime());
          server.dropAgent(agent);
        }
      });
      for (String id : AGENTS) {
        processes.put(id, new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            ShardedAgentMain.class.getName(), server.baseUrl(), etcd.endpoint(), prefix, id,
            dir.resolve(id + ".audit.jsonl").toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve(id + ".log").toFile()).start());
      }

      // the failover: from the kill until the killed agent's registration is gone, so the survivors own its services
      long failoverMs = -1;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (processes.values().stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
        String dead = killed.get();
        if (dead != null && failoverMs < 0) {
          ByteSequence key = ByteSequence.from(prefix + "shard/members/" + dead, StandardCharsets.UTF_8);
          if (client.getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs().isEmpty()) {
            failoverMs = (System.nanoTime() - killedAt.get()) / 1_000_000;
          }
        }
        Thread.sleep(20);
      }
      processes.values().forEach(Process::destroyForcibly);
      assertThat(server.finished()).as("the cluster ran to its end (logs in " + dir + ")").isTrue();
      String dead = killed.get();
      assertThat(dead).as("an agent was killed mid-remediation").isNotNull();
      assertThat(failoverMs).as("the killed agent's services moved").isBetween(0L, 10_000L);
      for (String id : AGENTS) {
        if (!id.equals(dead)) {
          assertThat(processes.get(id).exitValue()).as(id + " exited cleanly (" + dir.resolve(id + ".log") + ")")
              .isZero();
        }
      }

      assertThat(server.cluster().executor().deliveries().values()).as("every action delivered once")
          .allMatch(n -> n == 1);
      assertThat(server.cluster().executor().applied()).as("actions taken").hasSizeGreaterThanOrEqualTo(2);

      Map<String, Set<String>> handled = new HashMap<>();
      Map<String, Set<String>> unfinished = new HashMap<>();
      Map<String, Set<String>> notified = new HashMap<>();
      Set<String> all = new TreeSet<>();
      for (String id : AGENTS) {
        Path audit = dir.resolve(id + ".audit.jsonl");
        try (HashChainedAuditLog log = HashChainedAuditLog.builder().setFile(audit).build()) {
          assertThat(log.verify().intact()).as(id + "'s audit trail verifies").isTrue();
        }
        try (SreAgent replay = SreAgent.builder().setAuditFile(audit).setDiscovery(false).build()) {
          Set<String> h = new TreeSet<>();
          Set<String> u = new TreeSet<>();
          for (Incident i : replay.incidents()) {
            all.add(i.id());
            if (i.state() != IncidentState.OPEN && i.outcome() != IncidentOutcome.OWNED_ELSEWHERE) {
              h.add(i.id());
              if (!i.state().isTerminal()) {
                u.add(i.id());
              }
            }
          }
          handled.put(id, h);
          unfinished.put(id, u);
        }
        Set<String> n = new HashSet<>();
        Path file = dir.resolve(id + ".audit.jsonl.notified");
        if (Files.exists(file)) {
          for (String line : Files.readAllLines(file)) {
            n.add(line.split(" ")[0]);
          }
        }
        notified.put(id, n);
      }
      for (String x : AGENTS) {
        for (String y : AGENTS) {
          if (x.compareTo(y) >= 0) {
            continue;
          }
          Set<String> both = new TreeSet<>(handled.get(x));
          both.retainAll(handled.get(y));
          Set<String> bothNotified = new TreeSet<>(notified.get(x));
          bothNotified.retainAll(notified.get(y));
          if (x.equals(dead) || y.equals(dead)) {
            // taken over: only what the killed agent left unfinished
            assertThat(unfinished.get(dead)).as("handled by " + x + " and " + y).containsAll(both);
            assertThat(unfinished.get(dead)).as("notified by " + x + " and " + y).containsAll(bothNotified);
          } else {
            assertThat(both).as("handled by both " + x + " and " + y).isEmpty();
            assertThat(bothNotified).as("notified by both " + x + " and " + y).isEmpty();
          }
        }
      }
      Set<String> anyHandled = new TreeSet<>();
      handled.values().forEach(anyHandled::addAll);
      assertThat(anyHandled).as("every incident handled by an agent").isEqualTo(all);
      System.out.printf("three-agent storm: %d incidents (%s), %d actions applied once each; %s killed right after"
          + " its action took effect, leaving %s unfinished; its services moved after %d ms%n", all.size(), handled,
          server.cluster().executor().applied().size(), dead, unfinished.get(dead), failoverMs);
    }
  }
}
