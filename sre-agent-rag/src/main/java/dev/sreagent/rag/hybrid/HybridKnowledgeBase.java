package dev.sreagent.rag.hybrid;

import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Embedder;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.rag.hnsw.VectorIndex;
import dev.sreagent.rag.lucene.LuceneKnowledgeBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The agent's knowledge base: Markdown runbooks and post-mortems split into sections, found by BM25 (Lucene) and
 * by meaning (sentence embeddings in a {@link VectorIndex}), fused by reciprocal rank and reranked.
 * <ul>
 *   <li><b>Filter</b>: for a query of an incident type, documents declared for other types only (metadata
 *       {@code incident-types}) rank after every document that declares the type or none.
 *   <li><b>Chunks</b>: a document is split at its {@code ##} headings; each section is indexed with the document's
 *       title and metadata (ids {@code doc#0}, {@code doc#1}, ...), so that the embedding model (256 tokens) sees
 *       whole sections. Results are whole documents: the best section decides a document's score, and its text is
 *       what {@link RetrievedDocument} carries.
 *   <li><b>Reranking</b>: {@code score = rrf / max rrf + 0.15 type match + 0.10 service match
 *       + 0.05 freshness (post-mortems, 90-day half-life) + 0.4 (usefulness - 0.5)}, where usefulness is
 *       {@code (useful + 1) / (shown + 2)} from {@link #feedback}.
 *   <li><b>Persistence</b>: with {@link #open}, Lucene, the vectors and the feedback live under the directory and are
 *       reloaded; {@link #upsert} and {@link #remove} are incremental.
 * </ul>
 */
public final class HybridKnowledgeBase implements KnowledgeBase, AutoCloseable {
  private static final int CANDIDATES = 50;
  private static final int RRF_K = 60;

  private final LuceneKnowledgeBase lexical;
  private final VectorIndex vectors;
  private final Embedder embedder;
  private final @Nullable Path dir;
  private final Map<String, List<String>> chunksByDoc = new HashMap<>();
  private final Map<String, int[]> usefulness = new TreeMap<>(); // doc -> {useful, shown}
  private dev.sreagent.rag.onnx.@Nullable OnnxCrossEncoder crossEncoder;
  /** The lexical margin at or above which the dense list stays out of the fusion; infinite: always fused. */
  private double lexicalGate = Double.POSITIVE_INFINITY;
  /** Whether the dense index holds one vector per document (its lead) instead of one per section. */
  private boolean denseDocuments;
  /** Whether reciprocal rank fusion ranks documents (by their best section) instead of sections. */
  private boolean fuseDocuments;
  private volatile Clock clock = Clock.system();

  private HybridKnowledgeBase(LuceneKnowledgeBase lexical, VectorIndex vectors, Embedder embedder,
      @Nullable Path dir) {
    this.lexical = lexical;
    this.vectors = vectors;
    this.embedder = embedder;
    this.dir = dir;
  }

  /**
   * The clock a post-mortem's freshness is measured against (default the system clock; the agent's clock in a
   * simulation, whose post-mortems carry simulated dates).
   *
   * @return this
   */
  public HybridKnowledgeBase withClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** In memory. */
  public static HybridKnowledgeBase inMemory(Embedder embedder) {
    return new HybridKnowledgeBase(LuceneKnowledgeBase.inMemory(), new VectorIndex(embedder.dimension()), embedder,
        null);
  }

  /** Persisted under {@code dir} (created if missing); what is there is reloaded. */
  public static HybridKnowledgeBase open(Path dir, Embedder embedder) {
    try {
      Files.createDirectories(dir);
      HybridKnowledgeBase kb = new HybridKnowledgeBase(LuceneKnowledgeBase.open(dir.resolve("lucene")),
          VectorIndex.load(dir.resolve("vectors"), embedder.dimension(), VectorIndex.DEFAULT_EXACT_BELOW), embedder,
          dir);
      kb.loadFeedback();
      for (String id : kb.vectors.ids()) {
        kb.chunksByDoc.computeIfAbsent(id.substring(0, id.lastIndexOf('#')), k -> new ArrayList<>()).add(id);
      }
      return kb;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the knowledge directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Splits a document at its {@code ##} headings (the text before the first one is the first chunk). */
  static List<KnowledgeDocument> chunks(KnowledgeDocument d) {
    List<KnowledgeDocument> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    String section = "";
    for (String line : d.text().split("\n", -1)) {
      if (line.startsWith("## ") && current.toString().strip().length() > 0) {
        out.add(chunk(d, out.size(), section, current.toString()));
        current.setLength(0);
      }
      if (line.startsWith("## ")) {
        section = line.substring(3).strip();
      }
      current.append(line).append('\n');
    }
    if (current.toString().strip().length() > 0 || out.isEmpty()) {
      out.add(chunk(d, out.size(), section, current.toString()));
    }
    return out;
  }

  private static KnowledgeDocument chunk(KnowledgeDocument d, int n, String section, String text) {
    Map<String, String> meta = new LinkedHashMap<>(d.metadata());
    meta.put("parent", d.id());
    meta.put("parent-title", d.title());
    return new KnowledgeDocument(d.id() + "#" + n, section.isEmpty() ? d.title() : d.title() + " - " + section,
        text.strip(), meta);
  }

  @Override
  public synchronized void upsert(KnowledgeDocument document) {
    upsertAll(List.of(document));
  }

  /** Adds or replaces many documents (one Lucene commit, batched embedding, one save). */
  public synchronized void upsertAll(List<KnowledgeDocument> documents) {
    List<KnowledgeDocument> all = new ArrayList<>();
    List<String> vectorIds = new ArrayList<>();
    List<String> vectorTexts = new ArrayList<>();
    for (KnowledgeDocument d : documents) {
      List<KnowledgeDocument> cs = chunks(d);
      if (stored(d.id(), cs)) {
        continue; // already indexed as it is (e.g. the bundled runbooks at every start of a persisted base)
      }
      removeChunks(d.id());
      chunksByDoc.put(d.id(), cs.stream().map(KnowledgeDocument::id).toList());
      all.addAll(cs);
      if (denseDocuments) {
        vectorIds.add(cs.get(0).id());
        vectorTexts.add(leadText(d));
      } else {
        for (KnowledgeDocument c : cs) {
          vectorIds.add(c.id());
          vectorTexts.add(c.title() + "\n" + c.text());
        }
      }
    }
    if (all.isEmpty()) {
      return;
    }
    lexical.upsertAll(all);
    for (int i = 0; i < vectorIds.size(); i += 16) {
      int end = Math.min(vectorIds.size(), i + 16);
      List<float[]> vs = embedAll(vectorTexts.subList(i, end));
      for (int j = i; j < end; j++) {
        vectors.add(vectorIds.get(j), vs.get(j - i));
      }
    }
    save();
  }

  /** Whether exactly these sections of {@code docId} are indexed already (same ids, titles, texts, metadata). */
  private boolean stored(String docId, List<KnowledgeDocument> sections) {
    List<String> ids = chunksByDoc.get(docId);
    if (ids == null || !ids.equals(sections.stream().map(KnowledgeDocument::id).toList())) {
      return false;
    }
    for (KnowledgeDocument c : sections) {
      if (!c.equals(lexical.get(c.id())) || (!denseDocuments || c == sections.get(0)) && !vectors.contains(c.id())) {
        return false;
      }
    }
    return true;
  }

  private List<float[]> embedAll(List<String> texts) {
    if (embedder instanceof dev.sreagent.rag.onnx.OnnxEmbedder onnx) {
      return onnx.embedPassages(texts);
    }
    return texts.stream().map(embedder::embed).toList();
  }

  private void removeChunks(String docId) {
    List<String> ids = chunksByDoc.remove(docId);
    if (ids == null) {
      return;
    }
    for (String id : ids) {
      lexical.remove(id);
      vectors.remove(id);
    }
  }

  @Override
  public synchronized boolean remove(String id) {
    boolean existed = chunksByDoc.containsKey(id);
    removeChunks(id);
    usefulness.remove(id);
    save();
    return existed;
  }

  @Override
  public synchronized int size() {
    return chunksByDoc.size();
  }

  /**
   * Reranks the 20 best fused sections with a cross-encoder: its relevance (0..1) replaces the fusion score; the
   * metadata boosts still apply.
   */
  public synchronized HybridKnowledgeBase withCrossEncoder(dev.sreagent.rag.onnx.OnnxCrossEncoder encoder) {
    this.crossEncoder = encoder;
    return this;
  }

  /**
   * Trusts the lexical ranking alone when it is confident: for a query whose best BM25 section score {@code s1} is
   * clearly ahead of the second {@code s2}, {@code (s1 - s2) / s1 >= margin}, the dense list stays out of the fusion
   * (the reranking boosts still apply); below the margin both lists are fused as usual. The default,
   * {@link Double#POSITIVE_INFINITY}, always fuses. A query that names its answer exactly (an alert whose name is a
   * runbook's title) is where BM25 is both confident and right, and where an embedding's near-misses only add noise.
   *
   * @param margin at least 0 ({@code 0} uses the lexical ranking alone whenever it has a result)
   */
  public synchronized HybridKnowledgeBase setLexicalConfidenceGate(double margin) {
    if (!(margin >= 0)) {
      throw new IllegalArgumentException("margin must be >= 0 (or Double.POSITIVE_INFINITY to always fuse), but was "
          + margin);
    }
    this.lexicalGate = margin;
    return this;
  }

  /**
   * What the dense index embeds: {@code true}, one vector per document, its title in words and the start of its body
   * (as far as the model reads, 256 tokens), under the first section's id; {@code false} (the default), one vector per
   * section. The lexical index keeps sections either way. Applies to documents indexed afterwards; set it before the
   * first {@link #upsertAll}.
   *
   * @return this
   */
  public synchronized HybridKnowledgeBase setDenseDocuments(boolean wholeDocuments) {
    this.denseDocuments = wholeDocuments;
    return this;
  }

  /**
   * Whether the fusion ranks documents: {@code true}, each list ranks a document by its best section, so that the
   * lexical and the dense side agree on a document even when they found different sections of it (the first section
   * found, lexical first, stands for the document); {@code false} (the default), sections are fused as they are.
   *
   * @return this
   */
  public synchronized HybridKnowledgeBase setFuseDocuments(boolean byDocument) {
    this.fuseDocuments = byDocument;
    return this;
  }

  /** The text a document's single vector is embedded from: its title in words, then its body. */
  static String leadText(KnowledgeDocument d) {
    return dev.sreagent.rag.AlertQuery.splitCamel(d.title()) + ". " + d.text();
  }

  /** Chunks indexed. */
  public synchronized int chunkCount() {
    return vectors.size();
  }

  /**
   * Records whether a retrieved document helped (the agent calls this with the outcome of the incident it was
   * cited for); used by the reranker.
   */
  @Override
  public synchronized void feedback(String documentId, boolean useful) {
    int[] c = usefulness.computeIfAbsent(documentId, k -> new int[2]);
    if (useful) {
      c[0]++;
    }
    c[1]++;
    saveFeedback();
  }

  @Override
  public synchronized List<RetrievedDocument> retrieve(KnowledgeQuery q) {
    List<RetrievedDocument> lex = lexical.retrieve(new KnowledgeQuery(q.text(), q.type(), q.services(), CANDIDATES));
    String meaning = denseText(q.text());
    boolean confident = lex.size() > 1 && lex.get(0).score() > 0
        && (lex.get(0).score() - lex.get(1).score()) / lex.get(0).score() >= lexicalGate;
    List<VectorIndex.Hit> dense = meaning.isBlank() || confident ? List.of()
        : vectors.search(dev.sreagent.rag.onnx.OnnxEmbedder.query(embedder, meaning), CANDIDATES);
    Map<String, Double> rrf = new HashMap<>();
    Map<String, KnowledgeDocument> chunk = new HashMap<>();
    if (fuseDocuments) {
      // each list ranks documents by their best section; the two ranks of a document add up even when the lexical
      // and the dense side found different sections of it; the first section found stands for the document
      int rank = 0;
      for (RetrievedDocument r : lex) {
        String parent = r.document().metadata().getOrDefault("parent", r.document().id());
        if (!chunk.containsKey(parent)) {
          chunk.put(parent, r.document());
          rrf.merge(parent, 1.0 / (RRF_K + ++rank), Double::sum);
        }
      }
      rank = 0;
      Set<String> seen = new java.util.HashSet<>();
      for (VectorIndex.Hit h : dense) {
        KnowledgeDocument c = lexical.get(h.id());
        String parent = c == null ? h.id() : c.metadata().getOrDefault("parent", c.id());
        if (c != null && seen.add(parent)) {
          chunk.putIfAbsent(parent, c);
          rrf.merge(parent, 1.0 / (RRF_K + ++rank), Double::sum);
        }
      }
    } else {
      for (int i = 0; i < lex.size(); i++) {
        rrf.merge(lex.get(i).document().id(), 1.0 / (RRF_K + i + 1), Double::sum);
        chunk.put(lex.get(i).document().id(), lex.get(i).document());
      }
      for (int i = 0; i < dense.size(); i++) {
        rrf.merge(dense.get(i).id(), 1.0 / (RRF_K + i + 1), Double::sum);
      }
    }
    if (rrf.isEmpty()) {
      return List.of();
    }
    double max = rrf.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    if (crossEncoder != null) {
      List<Map.Entry<String, Double>> top = rrf.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(20).toList();
      List<KnowledgeDocument> docs = top.stream().map(e -> chunk.computeIfAbsent(e.getKey(), lexical::get)).toList();
      double[] relevance = crossEncoder.score(q.text(), docs.stream().map(d -> d == null ? "" : d.title() + "\n"
          + d.text()).toList());
      rrf.clear();
      for (int i = 0; i < top.size(); i++) {
        rrf.put(top.get(i).getKey(), relevance[i]);
      }
      max = 1;
    }
    Map<String, RetrievedDocument> best = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : rrf.entrySet()) {
      KnowledgeDocument c = chunk.computeIfAbsent(e.getKey(), lexical::get);
      if (c == null) {
        continue;
      }
      String parent = c.metadata().getOrDefault("parent", c.id());
      double score = e.getValue() / max + boost(c, q, parent);
      RetrievedDocument prev = best.get(parent);
      if (prev == null || score > prev.score()) {
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.remove("parent");
        String title = meta.getOrDefault("parent-title", c.title());
        meta.remove("parent-title");
        best.put(parent, new RetrievedDocument(new KnowledgeDocument(parent, title, c.text(), meta), score));
      }
    }
    List<RetrievedDocument> ranked = best.values().stream().sorted(Comparator.comparingDouble(
        RetrievedDocument::score).reversed().thenComparing(r -> r.document().id())).toList();
    // metadata filter: documents declared for other incident types only come after the matching ones
    List<RetrievedDocument> matching = new ArrayList<>();
    List<RetrievedDocument> others = new ArrayList<>();
    for (RetrievedDocument r : ranked) {
      (fits(r.document(), q) ? matching : others).add(r);
    }
    matching.addAll(others);
    return List.copyOf(matching.subList(0, Math.min(q.limit(), matching.size())));
  }

  /** Whether a document may answer the query's incident type: it declares that type, or no type at all. */
  private static boolean fits(KnowledgeDocument d, KnowledgeQuery q) {
    String types = d.metadata().getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "").strip();
    return q.type() == null || q.type().equals(dev.sreagent.api.model.IncidentType.UNKNOWN) || types.isEmpty()
        || List.of(types.split("\\s*,\\s*")).contains(q.type().name());
  }

  /**
   * The text the embedding searches with: the query without rule expressions ({@code ; rule: ...}), which help
   * BM25 match metric names but only add noise to a sentence embedding.
   */
  static String denseText(String text) {
    return text.replaceAll(";\\s*rule:[^\n]*", "").strip();
  }

  private double boost(KnowledgeDocument c, KnowledgeQuery q, String parent) {
    double b = 0;
    if (q.type() != null && List.of(c.metadata().getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "")
        .split("\\s*,\\s*")).contains(q.type().name())) {
      b += 0.15;
    }
    Set<String> services = Set.of(c.metadata().getOrDefault(KnowledgeDocument.SERVICES, "").split("\\s*,\\s*"));
    if (q.services().stream().anyMatch(services::contains)) {
      b += 0.10;
    }
    String date = c.metadata().get("date");
    if ("post-mortem".equals(c.metadata().get(KnowledgeDocument.KIND)) && date != null) {
      try {
        double days = (clock.now().toEpochMilli() - Instant.parse(date).toEpochMilli()) / 86_400_000.0;
        b += 0.05 * Math.pow(0.5, Math.max(0, days) / 90);
      } catch (RuntimeException e) {
        // an unreadable date earns no freshness
      }
    }
    int[] u = usefulness.get(parent);
    if (u != null) {
      b += 0.4 * ((u[0] + 1.0) / (u[1] + 2.0) - 0.5);
    }
    return b;
  }

  private void save() {
    if (dir == null) {
      return;
    }
    try {
      vectors.save(dir.resolve("vectors"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the vectors under " + dir + ": " + e.getMessage(), e);
    }
  }

  private void saveFeedback() {
    if (dir == null) {
      return;
    }
    Properties p = new Properties();
    usefulness.forEach((k, v) -> p.setProperty(k, v[0] + "/" + v[1]));
    try (var out = Files.newBufferedWriter(dir.resolve("usefulness.properties"))) {
      p.store(out, "useful/shown per document");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save feedback under " + dir + ": " + e.getMessage(), e);
    }
  }

  private void loadFeedback() throws IOException {
    Path f = dir == null ? null : dir.resolve("usefulness.properties");
    if (f == null || !Files.exists(f)) {
      return;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(f)) {
      p.load(in);
    }
    for (String k : p.stringPropertyNames()) {
      int[] v = Arrays.stream(p.getProperty(k).split("/")).mapToInt(Integer::parseInt).toArray();
      usefulness.put(k, v);
    }
  }

  @Override
  public synchronized void close() {
    save();
    lexical.close();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "HybridKnowledgeBase[%d chunks%s]", vectors.size(),
        dir == null ? "" : " in " + dir);
  }
}
