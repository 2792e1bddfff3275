package dev.sreagent.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.execution.ExecutorPolicy;
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
 * {@code ShardedAgentMain <baseUrl> <etcdEndpoint> <prefix> <id> <auditFile>}. It registers in etcd
 * ({@link EtcdMembership}, 2 s lease), takes its target locks in etcd ({@link EtcdLockService}), writes its own audit
 * file and appends every notification to {@code <auditFile>.notified} ({@code <incident> <kind>} per line).
 */
public final class ShardedAgentMain {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ShardedAgentMain() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String etcd = args[1];
    String prefix = args[2];
    String id = args[3];
    Path audit = Path.of(args[4]);
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T08:00:00Z"));
    try (EtcdMembership shard = EtcdMembership.builder(id, etcd).setKeyPrefix(prefix + "shard/")
            .setTtl(Duration.ofSeconds(2)).setRequestTimeout(Duration.ofSeconds(15)).build(); // a cold JVM's first call
        EtcdLockService locks = EtcdLockService.builder(etcd).setKeyPrefix(prefix + "locks/")
            .setRequestTimeout(Duration.ofSeconds(5)).build();
        PrintWriter notified = new PrintWriter(new FileWriter(audit + ".notified", true), true)) {
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
          .setAuditFile(audit)
          .build();
      while (true) {
        JsonNode reply = MAPPER.readTree(RemoteAgentMain.call(base + "/step?agent=" + id, "{}").body());
        now.set(Instant.parse(reply.get("now").asText()));
        if (reply.get("done").asBoolean()) {
          agent.tick();
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
