package dev.sreagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.rag.AlertQuery;
import dev.sreagent.rag.DenseIndex;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import dev.sreagent.rag.lucene.LuceneKnowledgeBase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code retrieval --corpus <corpus.jsonl> --queries <queries.jsonl> --out <results.jsonl> [--mode M]}: indexes
 * the corpus as the knowledge base would, turns each alert into the agent's retrieval query
 * ({@link AlertQuery}) and writes {@code {"query_id": ..., "ranked_doc_ids": [...]}} per query, 10 at most.
 * Reads only the fields an agent sees: alertname, severity, summary, description, labels, expr.
 * {@code -Dretrieval.depth=N} (bm25 and dense modes, at most 100) writes N ids instead of 10 (bm25 also their BM25
 * scores): the lists {@code sre-agent-bench/scripts/rag_cv.py} fuses with weights fitted under cross-validation.
 * In kb mode: {@code -Dretrieval.query=split|plain|rule|words|alert|agent} (the query text the knowledge base gets, default split;
 * a comma-separated list runs each), {@code -Dretrieval.lexicalDocuments=true,false} and
 * {@code -Dretrieval.candidates=50,100} (likewise; with more than one combination each is written to
 * {@code OUT.FORM.lexdoc|lexsec.cN.jsonl}), {@code -Dretrieval.denseDocuments} and {@code -Dretrieval.fuseDocuments}
 * (default: the knowledge base's own settings).
 */
final class RetrievalRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RetrievalRun() {}

  /** {@code -Dretrieval.query=agent}: in kb mode, search with the agent's own query for a webhook alert. */
  static final String AGENT_QUERY = "agent";

  /**
   * The lexical confidence gates kb mode runs with ({@code -Dretrieval.gates=0.1,0.15,inf}; default the knowledge
   * base's own): with several, one file per gate, {@code OUT.gate0.15.jsonl}, for {@code rag_cv.py} to choose among.
   */
  private static List<Double> gates() {
    String v = System.getProperty("retrieval.gates");
    if (v == null || v.isBlank()) {
      return List.of(Double.NaN);
    }
    List<Double> out = new ArrayList<>();
    for (String g : v.split(",")) {
      out.add(g.strip().equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(g.strip()));
    }
    return out;
  }

  /** The comma-separated values of a system property, or {@code absent} alone when it is not set. */
  private static List<String> list(String property, String absent) {
    String v = System.getProperty(property);
    return v == null || v.isBlank() ? List.of(absent) : List.of(v.split("\\s*,\\s*"));
  }

  /** How many ids bm25 and dense modes write per query ({@code -Dretrieval.depth}, default 10, at most 100). */
  private static int depth() {
    return Math.max(1, Math.min(100, Integer.getInteger("retrieval.depth", 10)));
  }

  static int run(Path corpus, Path queries, Path out, String mode, PrintStream log) throws IOException {
    return run(corpus, queries, out, mode, LuceneKnowledgeBase.DEFAULT_TITLE_BOOST, 1.2f, 0.75f, log);
  }

  static int run(Path corpus, Path queries, Path out, String mode, float titleBoost, float k1, float b,
      PrintStream log) throws IOException {
    if (!Set.of("bm25", "dense", "hybrid", "kb").contains(mode)) {
      throw new IllegalArgumentException("--mode must be bm25, dense, hybrid or kb, but was '" + mode + "'");
    }
    long t0 = System.nanoTime();
    List<KnowledgeDocument> docs = new ArrayList<>();
    int line = 0;
    for (String l : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
      line++;
      if (l.isBlank()) {
        continue;
      }
      JsonNode n = parse(l, corpus, line);
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put(KnowledgeDocument.KIND, n.path("kind").asText(""));
      meta.put("collection", n.path("collection").asText(""));
      docs.add(new KnowledgeDocument(required(n, "id", corpus, line), n.path("title").asText(""),
          n.path("text").asText(""), meta));
    }
    try (LuceneKnowledgeBase kb = LuceneKnowledgeBase.inMemory(titleBoost, k1, b);
        OnnxEmbedder embedder = mode.equals("bm25") ? null : OnnxEmbedder.of(model(), 1)) {
      kb.upsertAll(docs);
      dev.sreagent.rag.hybrid.HybridKnowledgeBase agentKb = null;
      if (mode.equals("kb")) {
        agentKb = dev.sreagent.rag.hybrid.HybridKnowledgeBase.inMemory(embedder);
        if (System.getProperty("retrieval.denseDocuments") != null) {
          agentKb.setDenseDocuments(Boolean.getBoolean("retrieval.denseDocuments"));
        }
        if (System.getProperty("retrieval.fuseDocuments") != null) {
          agentKb.setFuseDocuments(Boolean.getBoolean("retrieval.fuseDocuments"));
        }
        agentKb.upsertAll(docs);
      }
      DenseIndex dense = null;
      if (embedder != null && !mode.equals("kb")) {
        DenseIndex d = new DenseIndex(embedder, model().queryPrefix(), model().passagePrefix());
        docs.parallelStream().forEach(doc -> d.add(doc.id(), denseText(doc.title(), doc.text())));
        dense = d;
      }
      long indexed = System.nanoTime();
      System.gc();
      long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
      long queried = System.nanoTime();
      int count = 0;
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      List<Double> gates = agentKb == null ? List.of(Double.NaN) : gates();
      List<String> forms = agentKb == null ? List.of("") : list("retrieval.query", "split");
      List<String> lexicalLevels = agentKb == null ? List.of("") : list("retrieval.lexicalDocuments", "");
      List<String> candidateCounts = agentKb == null ? List.of("") : list("retrieval.candidates", "");
      boolean several = forms.size() * lexicalLevels.size() * candidateCounts.size() > 1;
      for (String form : forms) {
      for (String lexicalLevel : lexicalLevels) {
      for (String candidates : candidateCounts) {
      if (!lexicalLevel.isEmpty()) {
        agentKb.setLexicalDocuments(Boolean.parseBoolean(lexicalLevel));
      }
      if (!candidates.isEmpty()) {
        agentKb.setCandidates(Integer.parseInt(candidates));
      }
      String variant = several ? "." + form + (lexicalLevel.isEmpty() ? "" : Boolean.parseBoolean(lexicalLevel)
          ? ".lexdoc" : ".lexsec") + (candidates.isEmpty() ? "" : ".c" + candidates) : "";
      for (double gate : gates) {
        Path target = variant.isEmpty() ? out : out.resolveSibling(out.getFileName().toString()
            .replaceFirst("(\\.jsonl)?$", variant + ".jsonl"));
        if (!Double.isNaN(gate)) {
          agentKb.setLexicalConfidenceGate(gate);
          target = gates.size() == 1 ? target : target.resolveSibling(target.getFileName().toString()
              .replaceFirst("(\\.jsonl)?$", String.format(Locale.ROOT, ".gate%.2f.jsonl", gate)));
        }
        try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
          line = 0;
          for (String l : Files.readAllLines(queries, StandardCharsets.UTF_8)) {
            line++;
            if (l.isBlank()) {
              continue;
            }
            JsonNode q = parse(l, queries, line);
            Map<String, String> labels = new LinkedHashMap<>();
            q.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            String text = AlertQuery.text(text(q, "alertname"), text(q, "summary"), text(q, "description"), labels,
                text(q, "expr"));
            List<String> lexical = new ArrayList<>();
            List<Double> lexicalScores = new ArrayList<>();
            if (agentKb != null) {
              String alertName = text(q, "alertname");
              String kq;
              if (AGENT_QUERY.equals(form)) {
                // what the agent searches with for this alert arriving on its Alertmanager webhook: the anomaly
                // summary the AlertDetector writes from the alert's annotations and rule expression
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put("summary", String.valueOf(text(q, "summary")));
                annotations.put("description", String.valueOf(text(q, "description")));
                String expr = text(q, "expr");
                String url = expr == null ? "" : "http://prometheus/graph?g0.expr="
                    + java.net.URLEncoder.encode(expr, StandardCharsets.UTF_8);
                kq = "alert " + (alertName == null ? "" : alertName + " (" + AlertQuery.splitCamel(alertName) + ")")
                    + " firing: " + dev.sreagent.otel.AlertmanagerWebhook.summary(annotations, "", url);
              } else if ("rule".equals(form)) {
                // the metric names after "; rule:", which the knowledge base keeps from the embedding's query
                String expr = text(q, "expr");
                kq = String.join(" ", alertName == null ? "" : AlertQuery.splitCamel(alertName),
                    AlertQuery.text(alertName, text(q, "summary"), text(q, "description"), labels, null))
                    + (expr == null ? "" : "; rule: " + AlertQuery.text(null, null, null, labels, expr));
              } else if ("split".equals(form)) {
                // the alert as it comes, the metric names after "; rule:" (BM25 reads them, the embedding not;
                // the knowledge base reads identifiers such as the alert name in words for the embedding)
                String metrics = AlertQuery.text(null, null, null, labels, text(q, "expr"));
                kq = AlertQuery.text(alertName, text(q, "summary"), text(q, "description"), labels, null)
                    + (metrics.isBlank() ? "" : "; rule: " + metrics);
              } else if ("alert".equals(form)) {
                kq = text;  // the bench's own lexical query: name, summary, description, metric names
              } else if ("words".equals(form)) {
                // the bench hybrid's two queries in one: the embedding reads the name in words, the summary and
                // the description; BM25 reads that, and after "; rule:" the name itself and the metric names
                String expr = text(q, "expr");
                String rest = AlertQuery.text(alertName, null, null, labels, expr);
                kq = String.join(" ", alertName == null ? "" : AlertQuery.splitCamel(alertName),
                    AlertQuery.text(null, text(q, "summary"), text(q, "description"), labels, null))
                    + (rest.isBlank() ? "" : "; rule: " + rest);
              } else {
                kq = String.join(" ", alertName == null ? "" : AlertQuery.splitCamel(alertName), text);
              }
              lexical = agentKb.retrieve(new KnowledgeQuery(kq, null, Set.of(), 10)).stream()
                  .map(r -> r.document().id()).toList();
            } else if (!mode.equals("dense")) {
              for (RetrievedDocument r : kb.retrieve(new KnowledgeQuery(text, null, Set.of(), 100))) {
                lexical.add(r.document().id());
                lexicalScores.add(r.score());
              }
            }
            List<String> ranked;
            if (dense == null) {
              ranked = lexical.subList(0, Math.min(agentKb == null ? depth() : 10, lexical.size()));
            } else {
              String alertName = text(q, "alertname");
              String dq = String.join(" ", alertName == null ? "" : AlertQuery.splitCamel(alertName),
                  String.valueOf(text(q, "summary")), String.valueOf(text(q, "description")));
              List<String> semantic = dense.search(dq, 100).stream().map(DenseIndex.Hit::id).toList();
              ranked = mode.equals("dense") ? semantic.subList(0, Math.min(depth(), semantic.size()))
                  : DenseIndex.fuse(List.of(lexical, semantic), 60, 10);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("query_id", required(q, "id", queries, line));
            row.put("ranked_doc_ids", ranked);
            if (mode.equals("bm25") && depth() > 10) {
              row.put("scores", lexicalScores.subList(0, ranked.size()));  // for rag_cv.py's confidence gate
            }
            w.write(MAPPER.writeValueAsString(row));
            w.write('\n');
            count++;
          }
        }
      }
      }
      }
      }
      long done = System.nanoTime();
      log.printf(Locale.ROOT, "retrieval (%s): %d documents indexed in %d ms (heap after GC %d MB), %d queries in %d ms"
          + " (%.1f ms per query) -> %s%n", mode, docs.size(), (indexed - t0) / 1_000_000, heapMb, count,
          (done - queried) / 1_000_000, count == 0 ? 0 : (done - queried) / 1e6 / count, out);
    }
    return 0;
  }

  /**
   * The embedding model ({@code -Dretrieval.model=minilm|bge|e5}); default the knowledge base's,
   * {@link OnnxEmbedder.Model#DEFAULT} (bge since 2026-12-06, all-MiniLM-L6-v2 before).
   */
  static OnnxEmbedder.Model model() {
    String name = System.getProperty("retrieval.model");
    return name == null ? OnnxEmbedder.Model.DEFAULT : OnnxEmbedder.Model.named(name);
  }

  /** What the dense index sees of a document: its title in words and the start of its body. */
  static String denseText(String title, String body) {
    return AlertQuery.splitCamel(title) + ". " + body;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String required(JsonNode n, String field, Path file, int line) {
    String v = text(n, field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(file + ":" + line + ": missing \"" + field + "\"");
    }
    return v;
  }

  private static JsonNode parse(String l, Path file, int line) {
    try {
      return MAPPER.readTree(l);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ":" + line + ": not JSON: " + e.getMessage());
    }
  }
}
