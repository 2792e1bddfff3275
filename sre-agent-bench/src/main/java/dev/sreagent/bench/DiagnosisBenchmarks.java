package dev.sreagent.bench;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.core.knowledge.LexicalKnowledgeBase;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import dev.sreagent.rag.hybrid.HybridKnowledgeBase;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.Scenarios;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Embedding and diagnosis cost, as percentiles (JMH sample time):
 * {@code java -jar sre-agent-bench/target/sre-agent-bench.jar jmh DiagnosisBenchmarks}. {@code fullOfflineDiagnosis}
 * is what the agent does when an incident's investigation ends: retrieve from the hybrid knowledge base (bundled
 * runbooks: BM25 + embedding of the query + fusion + rerank) and run the offline evidence reasoner, over the
 * incidents the built-in scenarios open (seed 42), one after the other.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DiagnosisBenchmarks {
  private static final String ALERT = "error rate of payments is 30.0%, baseline 1.00% (threshold 3.0%)";
  private static final String CHUNK = """
      ## Remediation
      1. Rolling restart of the affected pods, one at a time, respecting the PodDisruptionBudget. This frees leaked
         memory and buys time.
      2. If memory jumped after a deploy, consider rolling back instead.
      3. Capture a heap dump from one pod before restarting it when the leak recurs.""";
  private OnnxEmbedder embedder;
  private HybridKnowledgeBase knowledge;
  private final EvidenceReasoner reasoner = new EvidenceReasoner();
  private final List<Incident> incidents = new ArrayList<>();
  private int next;

  @Setup
  public void setUp() {
    embedder = OnnxEmbedder.allMiniLmL6V2();
    knowledge = HybridKnowledgeBase.inMemory(embedder);
    knowledge.upsertAll(LexicalKnowledgeBase.bundledRunbooks());
    for (Scenario s : Scenarios.builtIn()) {
      if (s.fault() == null) {
        continue;
      }
      incidents.addAll(ScenarioIncidents.investigated(s, 42, b -> { }));
    }
    if (incidents.isEmpty()) {
      throw new IllegalStateException("no incident with evidence to diagnose");
    }
  }

  @TearDown
  public void tearDown() {
    embedder.close();
  }

  @Benchmark
  public float[] embedShortAlert() {
    return embedder.embed(ALERT);
  }

  @Benchmark
  public float[] embedRunbookChunk() {
    return embedder.embed(CHUNK);
  }

  @Benchmark
  public Diagnosis fullOfflineDiagnosis() {
    Incident inc = incidents.get(next++ % incidents.size());
    String text = String.join(" ", inc.anomalies().stream().map(Anomaly::summary).toList());
    List<RetrievedDocument> docs = knowledge.retrieve(new KnowledgeQuery(text, inc.type(), inc.affectedServices(),
        5));
    return reasoner.diagnose(inc, docs);
  }
}
