package dev.sreagent.testkit.contract;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.knowledge.LexicalKnowledgeBase;
import dev.sreagent.core.lock.InMemoryLockService;
import dev.sreagent.core.store.InMemoryIncidentStore;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulatedOnCall;
import dev.sreagent.testkit.VirtualClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's own implementations of the ports pass their contracts. */
class InMemoryContractsTest {
  @Nested
  class InMemoryLocks extends LockServiceContract {
    @Override
    protected LockService create(VirtualClock clock) {
      return new InMemoryLockService(clock);
    }
  }

  @Nested
  class InMemoryShards extends ShardMembershipContract {
    private final dev.sreagent.core.shard.InMemoryShardGroup group = new dev.sreagent.core.shard.InMemoryShardGroup();

    @Override
    protected dev.sreagent.api.shard.ShardMembership join(String id) {
      return group.join(id);
    }

    @Override
    protected void kill(dev.sreagent.api.shard.ShardMembership member) {
      group.leave(member.self());
    }
  }

  @Nested
  class InMemoryStore extends IncidentStoreContract {
    @Override
    protected IncidentStore create() {
      return new InMemoryIncidentStore();
    }
  }

  @Nested
  class InMemoryAudit extends AuditLogContract {
    @Override
    protected AuditLog create() {
      return HashChainedAuditLog.inMemory();
    }
  }

  @Nested
  class FileAudit extends AuditLogContract {
    @TempDir
    Path dir;

    @Override
    protected AuditLog create() {
      return HashChainedAuditLog.open(dir.resolve("audit.jsonl"));
    }
  }

  @Nested
  class KeyedFileAudit extends AuditLogContract {
    @TempDir
    Path dir;

    @Override
    protected AuditLog create() {
      return HashChainedAuditLog.builder().setFile(dir.resolve("audit.jsonl"))
          .setKey(AuditKey.of("contract-test-key-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .build();
    }
  }

  @Nested
  class Lexical extends KnowledgeBaseContract {
    @Override
    protected KnowledgeBase create() {
      return new LexicalKnowledgeBase();
    }
  }

  @Nested
  class SimulatedExecutorOnTheShop extends ActionExecutorContract {
    private SimulatedCluster cluster = SimulatedCluster.builder().build();

    @Override
    protected ActionExecutor create() {
      cluster = SimulatedCluster.builder().build();
      return cluster.executor();
    }

    @Override
    protected Action action() {
      return new Action.RenewCertificate("payments", "payments-mtls");
    }

    @Override
    protected int effects() {
      return cluster.changesApplied();
    }

    @Override
    protected Action failingAction() {
      return new Action.ScaleReplicas("cart", 7, 8);
    }
  }

  @Nested
  class SimulatedClusterAsASource extends TelemetrySourceContract {
    @Override
    protected TelemetrySource create() {
      return SimulatedCluster.builder().build();
    }

    @Override
    protected void produce(TelemetrySource source) {
      ((SimulatedCluster) source).advance(Duration.ofSeconds(15));
    }
  }

  @Nested
  class SimulatedOnCallChannel extends ApprovalChannelContract {
    private final VirtualClock clock = new VirtualClock();

    @Override
    protected ApprovalChannel create() {
      return SimulatedOnCall.approvingAfter(clock, Duration.ofMinutes(3));
    }

    @Override
    protected void answer(ApprovalChannel channel, ApprovalRequest request) {
      clock.advance(Duration.ofMinutes(3));
    }
  }
}
