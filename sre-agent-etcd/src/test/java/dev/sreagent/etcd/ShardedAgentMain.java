package dev.sreagent.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.SharedAuditLog;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.testkit.SimulatedOnCall;
import dev.sreagent.testkit.remote.RemoteAgentMain;
import dev.sreagent.testkit.remote.SignalDto;
import java.io.FileWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One of several agent processes sharing the work over one {@code ClusterServer} in lockstep:
 * {@code ShardedAgentMain <baseUrl> <etcdEndpoint> <prefix> <id> <dir> <jdbcUrl> <jdbcUser>}. It registers in etcd
 * ({@link EtcdMembership}, 2 s lease), takes its target locks in etcd ({@link EtcdLockService}), appends to the
 * audit chain in the database shared by all of them through its own {@link SharedAuditLog} view and keeps its
 * detector snapshots there; it appends every notification to {@code <dir>/<id>.notified} ({@code <incident> <kind>}
 * per line) and every live set it sees to {@code <dir>/<id>.members} (ids joined by commas). When the cluster is done it ticks once more
 * and then waits for one more lockstep round before it leaves, so no agent leaves (revoking its registration) while
 * another is still in its last tick, which would take over what the leaver still owned.
 */
public final class ShardedAgentMain {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ShardedAgentMain() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String etcd = args[1];
    String prefix = args[2];
    String id = args[3];
    Path dir = Path.of(args[4]);
    String jdbcUrl = args[5];
    String jdbcUser = args[6];
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T08:00:00Z"));
    try (EtcdMembership shard = EtcdMembership.builder(id, etcd).setKeyPrefix(prefix + "shard/")
            .setTtl(Duration.ofSeconds(2)).setRequestTimeout(Duration.ofSeconds(15)).build(); // a cold JVM's first call
        EtcdLockService locks = EtcdLockService.builder(etcd).setKeyPrefix(prefix + "locks/")
            .setRequestTimeout(Duration.ofSeconds(5)).build();
        JdbcStores db = JdbcStores.builder().setUrl(jdbcUrl).setUser(jdbcUser).setPassword("")
            .setRetryWindow(Duration.ofSeconds(30)).setMigrate(false).build();
        PrintWriter notified = new PrintWriter(new FileWriter(dir.resolve(id + ".notified").toFile(), true), true);
        PrintWriter members = new PrintWriter(new FileWriter(dir.resolve(id + ".members").toFile(), true), true)) {
      shard.addListener(live -> members.println(String.join(",", new java.util.TreeSet<>(live))));
      members.println(String.join(",", new java.util.TreeSet<>(shard.liveMembers())));
      SreAgent agent = SreAgent.builder()
          .setClock(now::get)
          .setSettings(AgentSettings.defaults().withAgentId(id))
          .setShardMembership(shard)
          .setLockService(locks)
          .setActionThreads(0)
          .setTopologyProvider(() -> ModelJson.read(RemoteAgentMain.call(base + "/topology", null).body(),
              Topology.class))
          .addExecutor(new RemoteAgentMain.RemoteExecutor(base, id),
              ExecutorPolicy.defaults().withTimeout(Duration.ofSeconds(5)))
          .setApprovalChannel(SimulatedOnCall.approvingAfter(now::get, Duration.ZERO))
          .addNotifier(e -> notified.println(e.incident().id() + " " + e.kind()))
          .setDefaultPhase(Phase.AUTONOMOUS)
          .setDiscovery(false)
          .setAuditLog(SharedAuditLog.of(db.auditLog(), id))
          .setDetectorStateStore(db.detectorStateStore())
          .build();
      while (true) {
        JsonNode reply = MAPPER.readTree(RemoteAgentMain.call(base + "/step?agent=" + id, "{}").body());
        now.set(Instant.parse(reply.get("now").asText()));
        if (reply.get("done").asBoolean()) {
          agent.tick();
          RemoteAgentMain.call(base + "/step?agent=" + id, "{}"); // every agent has had its last tick
          break;
        }
        for (JsonNode s : reply.get("signals")) {
          agent.sink().accept(MAPPER.treeToValue(s, SignalDto.class).toSignal());
        }
        agent.tick();
      }
      agent.close();
    }
    System.exit(0);
  }
}
