package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** The store and locks keys of {@code sre-agent run}: parsing, cross-checks and the messages that name the fix. */
class RunConfigSharedStateTest {
  @Test
  void goodStoreAndLocksValuesAreParsed() {
    RunConfig c = new RunConfig();
    c.set("store", "jdbc:postgresql://db.example:5432/sreagent");
    c.set("store.user", "sreagent");
    c.set("store.password-env", "SRE_AGENT_DB_PASSWORD");
    c.set("locks", "etcd://etcd-0:2379, etcd-1:2379");
    assertThat(c.store).isEqualTo("jdbc:postgresql://db.example:5432/sreagent");
    assertThat(c.locks.kind()).isEqualTo(RunConfig.Locks.Kind.ETCD);
    assertThat(c.locks.endpoints()).containsExactly("http://etcd-0:2379", "http://etcd-1:2379");
    assertThat(c.sharedStateProblem()).isNull();

    RunConfig h2 = new RunConfig();
    h2.set("store", "jdbc:h2:file:/var/lib/sre-agent/db");
    h2.set("locks", "redis://127.0.0.1:6379/2");
    h2.set("locks.password-env", "REDIS_PASSWORD");
    assertThat(h2.locks.kind()).isEqualTo(RunConfig.Locks.Kind.REDIS);
    assertThat(h2.locks.endpoints()).containsExactly("redis://127.0.0.1:6379/2");
    assertThat(h2.sharedStateProblem()).isNull();
    assertThat(new RunConfig().store).isNull();
    assertThat(new RunConfig().locks).isNull();
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheFix() {
    RunConfig c = new RunConfig();
    assertThatThrownBy(() -> c.set("store", "jdbc:mysql://db/sreagent")).hasMessageContaining(
        "store must be jdbc:postgresql://HOST[:PORT]/DATABASE (PostgreSQL) or jdbc:h2:file:/PATH")
        .hasMessageContaining("'jdbc:mysql://db/sreagent'").hasMessageContaining("'mysql' driver is not supported");
    assertThatThrownBy(() -> c.set("store", "jdbc:h2:mem:x")).hasMessageContaining("outlives the process");
    assertThatThrownBy(() -> c.set("store", "jdbc:postgresql://db/sre?user=a&password=hunter2"))
        .hasMessageContaining("must not carry a password").hasMessageContaining("store.password-env")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> c.set("store.password-env", "hunter2!")).hasMessageContaining(
        "store.password-env must name an environment variable").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> c.set("locks", "zookeeper://zk:2181")).hasMessageContaining(
        "locks must be etcd://HOST:PORT[,HOST:PORT...]").hasMessageContaining("unknown scheme 'zookeeper'");
    assertThatThrownBy(() -> c.set("locks", "etcd://etcd-0")).hasMessageContaining("'etcd-0' is not HOST:PORT");
    assertThatThrownBy(() -> c.set("locks", "redis://:secret@cache:6379")).hasMessageContaining(
        "locks.password-env").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> c.set("store.pasword-env", "X")).hasMessageContaining("unknown key 'store.pasword-env'");
  }

  @Test
  void crossChecksNameBothKeys() {
    RunConfig noStore = new RunConfig();
    noStore.set("store.user", "sreagent");
    assertThat(noStore.sharedStateProblem()).contains("without a store");
    RunConfig both = new RunConfig();
    both.set("store", "jdbc:h2:file:/tmp/x");
    both.set("audit.file", "/tmp/a.jsonl");
    assertThat(both.sharedStateProblem()).contains("audit.file (--audit) and store (--store) exclude each other");
    RunConfig pgNoUser = new RunConfig();
    pgNoUser.set("store", "jdbc:postgresql://db/sreagent");
    assertThat(pgNoUser.sharedStateProblem()).contains("needs store.user (--store-user NAME)");
    RunConfig etcdPassword = new RunConfig();
    etcdPassword.set("locks", "etcd://127.0.0.1:2379");
    etcdPassword.set("locks.password-env", "X");
    assertThat(etcdPassword.sharedStateProblem()).contains("locks.password-env is for locks = redis://");
  }

  @Test
  void theConfigFileReportsEveryBadSharedStateLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    Files.writeString(file, "store = sqlite:/tmp/x\nlocks = consul://c:8500\nstore.user = ok\n");
    assertThatThrownBy(() -> RunConfig.read(file)).hasMessageContaining(file + ":1: store must be")
        .hasMessageContaining(file + ":2: locks must be").hasMessageNotContaining(":3:");
  }

  @Test
  void anUnreachableServerStopsTheStartWithTheAdaptersMessage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(List.of("--otlp", "127.0.0.1:0", "--locks", "redis://127.0.0.1:1"), out, Map.of())).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("cannot start: locks redis://127.0.0.1:1 did not answer:"
        + " Redis at 127.0.0.1:1 could not").contains("Is redis-server running there");
    ByteArrayOutputStream pg = new ByteArrayOutputStream();
    assertThat(run(List.of("--otlp", "127.0.0.1:0", "--store", "jdbc:postgresql://127.0.0.1:1/sreagent",
        "--store-user", "sreagent", "--store-password-env", "PGPASS"), pg, Map.of("PGPASS", "s3cret-pw")))
        .isEqualTo(2);
    assertThat(pg.toString(StandardCharsets.UTF_8)).contains("cannot start: store jdbc:postgresql://127.0.0.1:1/")
        .contains("the database server is not reachable").doesNotContain("s3cret-pw");
    ByteArrayOutputStream unset = new ByteArrayOutputStream();
    assertThat(run(List.of("--otlp", "127.0.0.1:0", "--store", "jdbc:postgresql://127.0.0.1:1/sreagent",
        "--store-user", "sreagent", "--store-password-env", "PGPASS"), unset, Map.of())).isEqualTo(2);
    assertThat(unset.toString(StandardCharsets.UTF_8)).contains("PGPASS, which is not set");
  }

  @Test
  void anH2StoreSurvivesARestartWithItsAuditChain(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("audit.key");
    Files.writeString(key, "cmVhbC1tb2RlLXRlc3Qta2V5LW9mLTMyLWJ5dGVzLg==\n");
    String url = "jdbc:h2:file:" + dir.resolve("db");
    List<String> args = List.of("--otlp", "127.0.0.1:0", "--store", url);
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "audit.key-file = " + key + "\n");
    List<String> keyed = List.of("--config", conf.toString(), "--otlp", "127.0.0.1:0", "--store", url);

    ByteArrayOutputStream first = new ByteArrayOutputStream();
    assertThat(run(keyed, first, Map.of())).as(first.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(first.toString(StandardCharsets.UTF_8)).contains("audit in the store (keyed)")
        .contains("store H2 " + url).contains("locks in-process");
    long afterFirst;
    try (var db = dev.sreagent.jdbc.JdbcStores.builder().setUrl(url).setUser("sa")
        .setAuditKey(dev.sreagent.core.audit.AuditKey.fromFile(key)).build()) {
      afterFirst = db.auditLog().records().size();
      assertThat(db.auditLog().verify().intact()).isTrue();
    }
    assertThat(afterFirst).isPositive();

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    assertThat(run(keyed, second, Map.of())).as(second.toString(StandardCharsets.UTF_8)).isZero();
    try (var db = dev.sreagent.jdbc.JdbcStores.builder().setUrl(url).setUser("sa")
        .setAuditKey(dev.sreagent.core.audit.AuditKey.fromFile(key)).build()) {
      var records = db.auditLog().records();
      assertThat(records).hasSizeGreaterThan((int) afterFirst);
      assertThat(records.stream().filter(r -> r.entry().type().equals("agent.started")).count())
          .as("both starts in one chain").isEqualTo(2);
      assertThat(db.auditLog().verify().intact()).isTrue();
    }

    ByteArrayOutputStream unkeyed = new ByteArrayOutputStream();
    assertThat(run(args, unkeyed, Map.of())).as("the replay checks the chain's key").isEqualTo(2);
    assertThat(unkeyed.toString(StandardCharsets.UTF_8)).contains("cannot start: store " + url)
        .contains("the audit log in the database does not verify without a key");
  }

  private static int run(List<String> args, ByteArrayOutputStream out, Map<String, String> env) {
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return RealMode.run(args, ps, ps, new CountDownLatch(0), env::get);
  }
}
