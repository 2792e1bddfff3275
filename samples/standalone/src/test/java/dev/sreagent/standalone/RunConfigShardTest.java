package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.jdbc.OutboxRelay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent.id, shard.* and retention.* keys of {@code sre-agent run}: parsing, the cross-checks (every problem at
 * once, before any connection) and the outbox retention job on an H2 store. The registration in a real etcd is
 * exercised by {@code .ci/run} (two agents on one etcd).
 */
class RunConfigShardTest {
  @Test
  void goodShardValuesAreParsedAndTheEtcdDefaultsToTheLocks() {
    RunConfig c = new RunConfig();
    c.set("locks", "etcd://etcd-0:2379,etcd-1:2379");
    c.set("agent.id", "agent-a.eu_1");
    c.set("shard", "etcd");
    c.set("shard.lease", "7s");
    c.set("shard.prefix", "/shop/shard/");
    assertThat(c.shard).isTrue();
    assertThat(c.agentId).isEqualTo("agent-a.eu_1");
    assertThat(c.shardLease).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.shardEtcd()).containsExactly("http://etcd-0:2379", "http://etcd-1:2379");
    assertThat(c.shardProblems()).isEmpty();

    RunConfig own = new RunConfig();
    own.set("locks", "redis://127.0.0.1:6379");
    own.set("shard.endpoints", "etcd://10.0.0.7:2379");
    own.set("shard", "etcd");
    own.set("agent.id", "b");
    assertThat(own.shardEtcd()).as("shard.endpoints wins over the locks").containsExactly("http://10.0.0.7:2379");
    assertThat(own.shardProblems()).isEmpty();
    own.set("shard", "none");
    own.set("shard.endpoints", "etcd://10.0.0.7:2379");
    assertThat(own.shard).isFalse();
    assertThat(new RunConfig().shard).isFalse();
    assertThat(new RunConfig().agentId).isNull();
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheFix() {
    RunConfig c = new RunConfig();
    assertThatThrownBy(() -> c.set("shard", "zookeeper")).hasMessageContaining("shard must be etcd")
        .hasMessageContaining("or none, but was 'zookeeper'");
    assertThatThrownBy(() -> c.set("shard.lease", "1s")).hasMessageContaining("shard.lease must be whole seconds,"
        + " at least 2s").hasMessageContaining("but was '1s'");
    assertThatThrownBy(() -> c.set("shard.lease", "2500ms")).hasMessageContaining("whole seconds")
        .hasMessageContaining("'2500ms'");
    assertThatThrownBy(() -> c.set("shard.lease", "soon")).hasMessageContaining("shard.lease must be a positive"
        + " duration");
    assertThatThrownBy(() -> c.set("shard.endpoints", "redis://r:6379")).hasMessageContaining(
        "shard.endpoints must be etcd://HOST:PORT").hasMessageContaining("'redis://r:6379'");
    assertThatThrownBy(() -> c.set("shard.prefix", "shard")).hasMessageContaining("starting with '/'")
        .hasMessageContaining("'shard'");
    assertThatThrownBy(() -> c.set("agent.id", "a/b")).hasMessageContaining("agent.id must be an id of letters")
        .hasMessageContaining("'a/b'");
    assertThatThrownBy(() -> c.set("retention.outbox.max-rows", "0")).hasMessageContaining(
        "retention.outbox.max-rows must be a positive whole number, but was '0'");
    assertThatThrownBy(() -> c.set("retention.incidents.max-ended", "-1")).hasMessageContaining(
        "retention.incidents.max-ended must be a positive whole number");
    assertThatThrownBy(() -> c.set("retention.outbox.max-age", "a week")).hasMessageContaining(
        "retention.outbox.max-age must be a positive duration");
    assertThatThrownBy(() -> c.set("shard.ttl", "5s")).hasMessageContaining("unknown key 'shard.ttl'")
        .hasMessageContaining("shard.lease");
  }

  @Test
  void crossChecksNameTheMissingKeyAndTheFix() {
    RunConfig noEtcd = new RunConfig();
    noEtcd.set("shard", "etcd");
    noEtcd.set("locks", "redis://127.0.0.1:6379");
    assertThat(noEtcd.shardProblems()).containsExactly(
        "shard = etcd (--shard) registers the agent in etcd, but no etcd was given: set locks = etcd://HOST:PORT"
            + " (--locks etcd://HOST:PORT) or shard.endpoints = etcd://HOST:PORT (locks is 'redis://127.0.0.1:6379')",
        "shard = etcd (--shard) needs agent.id (--agent-id ID): an id of this agent's own, unique among the agents"
            + " that share the work (such as the pod or host name)");
    RunConfig strays = new RunConfig();
    strays.set("shard.lease", "5s");
    strays.set("shard.prefix", "/x/");
    strays.set("retention.outbox.max-age", "3d");
    assertThat(strays.shardProblems()).containsExactly(
        "shard.lease, shard.prefix given without shard: add shard = etcd (--shard), or remove them",
        "retention.* keys were given without a store: they bound the store's outbox and incidents; add store ="
            + " jdbc:... (--store URL), or remove them");
  }

  @Test
  void everyProblemOfTheFileAndTheOptionsIsReportedAtOnceBeforeAnyConnection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    Files.writeString(file, "shard.lease = 1s\nlocks = redis://127.0.0.1:1\nshard.prefix = nope\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(List.of("--config", file.toString(), "--otlp", "127.0.0.1:0", "--shard", "--agent-id", "a/b"),
        out)).isEqualTo(2);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains(file + ":1: shard.lease must be whole seconds")
        .contains(file + ":3: shard.prefix must be an etcd key prefix")
        .contains("--agent-id must be an id of letters").contains("no etcd was given")
        .contains("needs agent.id (--agent-id ID)")
        .as("refused before connecting: the Redis at port 1 was never asked").doesNotContain("cannot start")
        .doesNotContain("did not answer");
  }

  @Test
  void anUnreachableShardEtcdStopsTheStartNamingIt() {
    RunConfig c = new RunConfig();
    c.set("shard", "etcd");
    c.set("agent.id", "a");
    c.set("shard.endpoints", "etcd://127.0.0.1:1");
    assertThatThrownBy(() -> SharedState.open(c, k -> null, null)).hasMessageStartingWith(
        "shard etcd http://127.0.0.1:1: etcd at http://127.0.0.1:1 could not").hasMessageContaining("Is etcd running");
  }

  @Test
  void aStoreStartsTheOutboxRetentionWhichDeletesPublishedRowsBeyondTheLimit(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db");
    try (JdbcStores db = JdbcStores.builder().setUrl(url).setUser("sa").build()) {
      for (int i = 0; i < 12; i++) {
        db.auditLog().append(new AuditEntry(Instant.parse("2026-03-02T08:00:00Z").plusSeconds(i), "test.append",
            null, "test", Map.of("n", String.valueOf(i))));
      }
      try (OutboxRelay relay = OutboxRelay.builder(db, e -> { }).setBatchSize(10).build()) {
        assertThat(relay.relayOnce()).isEqualTo(10); // 10 published, 2 still owed
      }
    }
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "retention.outbox.max-rows = 3\nretention.outbox.interval = 1h\n"
        + "retention.incidents.max-ended = 500\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(List.of("--config", conf.toString(), "--otlp", "127.0.0.1:0", "--store", url), out))
        .as(out.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("retention published outbox rows past 7d or beyond the"
        + " newest 3 and ended incidents beyond the newest 500 deleted every 1h (7 rows and 0 incidents at start)");
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
      assertThat(count(s, "published_at IS NOT NULL")).as("the newest 3 published rows kept").isEqualTo(3);
      assertThat(count(s, "published_at IS NULL")).as("unpublished rows never deleted").isGreaterThanOrEqualTo(2);
    }
    try (JdbcStores db = JdbcStores.builder().setUrl(url).setUser("sa").build()) {
      assertThat(db.auditLog().verify().intact()).as("the audit chain is untouched").isTrue();
      assertThat(db.auditLog().records()).hasSizeGreaterThan(12);
    }
  }

  private static long count(Statement s, String where) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sre_outbox WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int run(List<String> args, ByteArrayOutputStream out) {
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return RealMode.run(args, ps, ps, new CountDownLatch(0), k -> null);
  }
}
