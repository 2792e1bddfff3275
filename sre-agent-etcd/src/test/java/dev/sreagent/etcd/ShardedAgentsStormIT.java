package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.audit.SharedAuditLog;
import dev.sreagent.jdbc.JdbcAuditLog;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.testkit.AppliedAction;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.remote.ClusterServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Three agent processes ({@link ShardedAgentMain}) over one simulated cluster ({@link ClusterServer} in lockstep:
 * every agent reads the same telemetry), sharing etcd membership, etcd locks and one audit chain in PostgreSQL (each
 * through its own {@link SharedAuditLog} view); an incident storm; the agent that takes the second action is SIGKILLed
 * right after the action took effect, before it heard back, and simulated time stands still until the survivors have
 * seen it gone. Afterwards: every action was delivered once; the new owner of the killed agent's incident found the
 * killed agent's action by its idempotency key, recorded it as reconciled and resolved the incident; no incident was
 * handled or notified by two live agents (only the killed agent's unfinished incidents by it and a survivor); the one
 * merged audit trail verifies in SQL order; and the killed agent's registration was gone (its services moved) within
 * a measured time. Needs {@code -Dpostgres.url} (etcd: {@code -Detcd.endpoints}, or one started from the binary).
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
    String admin = System.getProperty("postgres.url", "");
    Assumptions.assumeTrue(!admin.isBlank() && !admin.startsWith("${"), "no PostgreSQL for the shared audit trail:"
        + " run with -Pit -Dpostgres.url=jdbc:postgresql://127.0.0.1:PORT/postgres (see .ci/run)");
    String user = System.getProperty("postgres.user", "postgres").isBlank() ? "postgres"
        : System.getProperty("postgres.user", "postgres");
    long wallStart = System.nanoTime();
    Path dir = Files.createTempDirectory("storm-it"); // kept: the agents' logs, notifications and live sets
    String prefix = "/storm-it/" + UUID.randomUUID() + "/";
    String url = newDatabase(admin, user);
    try (EtcdServer etcd = EtcdServer.shared();
        ClusterServer server = new ClusterServer(11, STEP, LENGTH, storm());
        Client client = Client.builder().endpoints(etcd.endpoint()).build();
        JdbcStores db = JdbcStores.builder().setUrl(url).setUser(user).setPassword("").build()) { // migrates
      server.expectAgents(AGENTS);
      Map<String, Process> processes = new HashMap<>();
      AtomicReference<String> killed = new AtomicReference<>();
      AtomicLong killedAt = new AtomicLong();
      AtomicInteger effects = new AtomicInteger();
      AtomicReference<AppliedAction> cut = new AtomicReference<>();
      server.setAfterEffectOf(agent -> {
        if (effects.incrementAndGet() == 2 && processes.containsKey(agent) && killed.compareAndSet(null, agent)) {
          server.hold(); // simulated time stands still while the survivors learn of the death (seconds of wall time)
          processes.get(agent).destroyForcibly(); // SIGKILL, right after its action took effect
          killedAt.set(System.nanoTime());
          List<AppliedAction> applied = server.cluster().executor().appliedActions();
          cut.set(applied.get(applied.size() - 1));
          server.dropAgent(agent);
        }
      });
      for (String id : AGENTS) {
        processes.put(id, new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            ShardedAgentMain.class.getName(), server.baseUrl(), etcd.endpoint(), prefix, id, dir.toString(), url, user)
            .redirectErrorStream(true).redirectOutput(dir.resolve(id + ".log").toFile()).start());
      }

      // the failover: from the kill until the killed agent's registration is gone, so the survivors own its services;
      // the hold: until every survivor has seen it gone (its listener wrote a live set without it)
      long failoverMs = -1;
      long heldMs = -1;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (processes.values().stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
        String dead = killed.get();
        if (dead != null && failoverMs < 0) {
          ByteSequence key = ByteSequence.from(prefix + "shard/members/" + dead, StandardCharsets.UTF_8);
          if (client.getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs().isEmpty()) {
            failoverMs = (System.nanoTime() - killedAt.get()) / 1_000_000;
          }
        }
        if (dead != null && failoverMs >= 0 && heldMs < 0 && AGENTS.stream().filter(id -> !id.equals(dead))
            .allMatch(id -> lastLiveSet(dir.resolve(id + ".members")).map(l -> !l.contains(dead)).orElse(false))) {
          heldMs = (System.nanoTime() - killedAt.get()) / 1_000_000;
          server.release();
        }
        Thread.sleep(20);
      }
      server.release();
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

      // one merged trail: a single chain in SQL order, every record written by one of the agents
      JdbcAuditLog chain = db.jdbcAuditLog();
      assertThat(chain.verify().intact()).as("the merged audit trail verifies").isTrue();
      List<AuditRecord> records = chain.records();
      Map<String, List<AuditRecord>> byWriter = new TreeMap<>();
      for (AuditRecord r : records) {
        String writer = SharedAuditLog.writerOf(r);
        assertThat(AGENTS).as("writer of record " + r.sequence()).contains(writer);
        byWriter.computeIfAbsent(writer, w -> new ArrayList<>()).add(r);
      }

      // the killed agent's last action: found by its key by the incident's new owner, recorded, never run again
      AppliedAction lost = cut.get();
      assertThat(server.cluster().executor().deliveries()).as("the killed agent's action, delivered once")
          .containsEntry(lost.idempotencyKey(), 1);
      String reconciledBy = null;
      for (AuditRecord r : records) {
        if (r.entry().type().equals(AuditTypes.ACTION_RECONCILED)
            && lost.idempotencyKey().equals(r.entry().data().get("idempotencyKey"))) {
          assertThat(reconciledBy).as("reconciled once").isNull();
          reconciledBy = SharedAuditLog.writerOf(r);
        }
      }
      assertThat(reconciledBy).as("a survivor took " + lost.incidentId() + " over and reconciled the killed agent's"
          + " action " + lost.action().canonical() + " by its key instead of running it again").isNotNull()
          .isNotEqualTo(dead);
      Incident after = lastSnapshots(byWriter.get(reconciledBy)).get(lost.incidentId());
      assertThat(after.state()).as(lost.incidentId() + " ended by " + reconciledBy).isEqualTo(IncidentState.RESOLVED);

      Map<String, Set<String>> handled = new HashMap<>();
      Map<String, Set<String>> unfinished = new HashMap<>();
      Map<String, Set<String>> notified = new HashMap<>();
      Set<String> all = new TreeSet<>();
      for (String id : AGENTS) {
        Set<String> h = new TreeSet<>();
        Set<String> u = new TreeSet<>();
        for (Incident i : lastSnapshots(byWriter.getOrDefault(id, List.of())).values()) {
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
        Set<String> n = new HashSet<>();
        Path file = dir.resolve(id + ".notified");
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
      for (String id : AGENTS) {
        if (!id.equals(dead)) {
          assertThat(unfinished.get(id)).as("left unfinished by " + id).isEmpty();
        }
      }
      System.out.printf("three-agent storm: %d incidents (%s), %d actions applied once each; %s killed right after"
          + " its action %s of %s took effect, leaving %s unfinished; its services moved after %d ms (cluster held"
          + " %d ms, until every survivor saw it gone); %s took the incident over and reconciled the action; one"
          + " audit chain of %d records (%s) verifies; wall time %d s%n",
          all.size(), handled, server.cluster().executor().applied().size(), dead, lost.action().canonical(),
          lost.incidentId(), unfinished.get(dead), failoverMs, heldMs, reconciledBy, records.size(),
          byWriter.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size()).toList(),
          (System.nanoTime() - wallStart) / 1_000_000_000L);
    }
  }

  /** The last snapshot of every incident in {@code records} (what an agent's start-up replay would rebuild). */
  private static Map<String, Incident> lastSnapshots(List<AuditRecord> records) {
    Map<String, Incident> out = new LinkedHashMap<>();
    for (AuditRecord r : records) {
      if (AuditEvents.fromRecord(r) instanceof AuditEvent.AboutIncident about) {
        out.put(about.incident().id(), about.incident());
      }
    }
    return out;
  }

  /** A new, empty database on the PostgreSQL at {@code admin}; its URL. */
  private static String newDatabase(String admin, String user) throws SQLException {
    String name = "storm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(admin, user, ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    int slash = admin.lastIndexOf('/');
    int query = admin.indexOf('?', slash);
    return admin.substring(0, slash + 1) + name + (query < 0 ? "" : admin.substring(query));
  }

  /** The last live set an agent wrote (its membership listener), if any. */
  private static Optional<String> lastLiveSet(Path file) {
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
