package dev.sreagent.testkit.contract;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;

/**
 * Deliberately broken implementations of every port, each run against its contract by {@link ContractSelfTest}:
 * the contracts must catch them. Not run on its own (its name keeps Surefire away).
 */
class BrokenImplementations {
  @Nested
  class LocksThatNeverRefuse extends LockServiceContract {
    @Override
    protected LockService create(VirtualClock clock) {
      return new LockService() {
        @Override
        public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
          return Optional.of(new Lock(target, owner, 1, clock.now().plus(ttl)));
        }

        @Override
        public void release(Lock lock) {}
      };
    }
  }

  @Nested
  class LocksThatRenewWhatTheyNoLongerHold extends LockServiceContract {
    @Override
    protected LockService create(VirtualClock clock) {
      LockService real = new dev.sreagent.core.lock.InMemoryLockService(clock);
      return new LockService() {
        @Override
        public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
          return real.tryAcquire(target, owner, ttl);
        }

        @Override
        public void release(Lock lock) {
          real.release(lock);
        }

        @Override
        public Optional<Lock> renew(Lock lock, Duration ttl) {
          return Optional.of(new Lock(lock.target(), lock.owner(), lock.fencingToken(), clock.now().plus(ttl)));
        }
      };
    }
  }

  @Nested
  class StoreThatAppendsReplacements extends IncidentStoreContract {
    @Override
    protected IncidentStore create() {
      List<Incident> all = new ArrayList<>();
      return new IncidentStore() {
        @Override
        public void save(Incident incident) {
          all.removeIf(i -> i.id().equals(incident.id()));
          all.add(incident);
        }

        @Override
        public Optional<Incident> find(String id) {
          return all.stream().filter(i -> i.id().equals(id)).findFirst();
        }

        @Override
        public List<Incident> all() {
          return List.copyOf(all);
        }

        @Override
        public List<Incident> active() {
          return all();
        }
      };
    }
  }

  @Nested
  class AuditLogWithoutAChain extends AuditLogContract {
    @Override
    protected AuditLog create() {
      List<AuditRecord> records = new ArrayList<>();
      return new AuditLog() {
        @Override
        public AuditRecord append(AuditEntry entry) {
          AuditRecord r = new AuditRecord(records.size() + 1, entry, AuditRecord.GENESIS, "h" + records.size());
          records.add(r);
          return r;
        }

        @Override
        public List<AuditRecord> records() {
          return records;
        }

        @Override
        public AuditVerification verify() {
          return AuditVerification.ok(records.size());
        }
      };
    }
  }

  @Nested
  class KnowledgeBaseThatIgnoresTheQuery extends KnowledgeBaseContract {
    @Override
    protected KnowledgeBase create() {
      Map<String, KnowledgeDocument> docs = new LinkedHashMap<>();
      return new KnowledgeBase() {
        @Override
        public void upsert(KnowledgeDocument document) {
          docs.put(document.id() + docs.size(), document);
        }

        @Override
        public boolean remove(String id) {
          return true;
        }

        @Override
        public List<RetrievedDocument> retrieve(KnowledgeQuery query) {
          return docs.values().stream().map(d -> new RetrievedDocument(d, 1.0)).toList();
        }

        @Override
        public int size() {
          return docs.size();
        }
      };
    }
  }

  @Nested
  class ExecutorThatForgetsKeysAndTokens extends ActionExecutorContract {
    private SimulatedCluster cluster = SimulatedCluster.builder().build();

    @Override
    protected ActionExecutor create() {
      cluster = SimulatedCluster.builder().build();
      ActionExecutor real = cluster.executor();
      AtomicInteger n = new AtomicInteger();
      return new ActionExecutor() {
        @Override
        public String name() {
          return "forgetful";
        }

        @Override
        public boolean supports(Action action) {
          return true;
        }

        @Override
        public ActionResult execute(Action action, ExecutionContext ctx) {
          return real.execute(action, new ExecutionContext(ctx.incidentId(), ctx.idempotencyKey() + n.incrementAndGet(),
              1000 + n.get(), ctx.dryRun()));
        }

        @Override
        public Optional<ActionResult> reconcile(String key) {
          return Optional.empty();
        }
      };
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
  class SourceThatPushesAfterClose extends TelemetrySourceContract {
    @Override
    protected TelemetrySource create() {
      return new TelemetrySource() {
        private TelemetrySink sink = s -> true;

        @Override
        public String name() {
          return "stubborn";
        }

        @Override
        public void start(TelemetrySink s) {
          this.sink = s;
        }
      };
    }

    @Override
    protected void produce(TelemetrySource source) throws Exception {
      var f = source.getClass().getDeclaredField("sink");
      f.setAccessible(true);
      ((TelemetrySink) f.get(source)).accept(new MetricSample("x", 1, Instant.EPOCH, Map.of("service.name", "a")));
    }
  }

  @Nested
  class ChannelThatRepeatsItself extends ApprovalChannelContract {
    @Override
    protected ApprovalChannel create() {
      List<ApprovalRequest> seen = new ArrayList<>();
      return new ApprovalChannel() {
        @Override
        public void request(ApprovalRequest request) {
          seen.add(request);
        }

        @Override
        public List<ApprovalDecision> poll() {
          return seen.stream().map(r -> new ApprovalDecision(r.incident().id(), r.planHash(), "bot", "sre", true,
              r.requestedAt(), "again")).toList();
        }
      };
    }

    @Override
    protected void answer(ApprovalChannel channel, ApprovalRequest request) {}
  }

  /** A membership that never notices a death: the dead member's services stay with it. */
  @Nested
  class MembershipThatKeepsTheDead extends ShardMembershipContract {
    private final java.util.Set<String> ever = new java.util.LinkedHashSet<>();

    @Override
    protected dev.sreagent.api.shard.ShardMembership join(String id) {
      if (!ever.add(id)) {
        throw new IllegalStateException("'" + id + "' is live");
      }
      return new dev.sreagent.api.shard.ShardMembership() {
        @Override
        public String self() {
          return id;
        }

        @Override
        public java.util.Set<String> liveMembers() {
          return java.util.Set.copyOf(ever);
        }

        @Override
        public void addListener(Listener listener) {
        }
      };
    }

    @Override
    protected void kill(dev.sreagent.api.shard.ShardMembership member) {
      // never noticed
    }
  }
}
