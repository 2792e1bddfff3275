package dev.sreagent.rag.hybrid;

import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Embedder;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.rag.hnsw.VectorIndex;
import dev.sreagent.rag.lucene.LuceneKnowledgeBase;
import dev.sreagent.rag.onnx.OnnxEmbedder;
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
 * The agent's knowledge base: Markdown runbooks and post-mortems, found by BM25 (Lucene) and by meaning (sentence
 * embeddings in a {@link VectorIndex}), fused by reciprocal rank and reranked. By default it ranks whole documents,
 * as the bench's {@code hybrid} does (the configuration that cross-validates best on the alert → runbook set, README
 * "Benchmarks"): BM25 over whole documents and one vector per document, the top {@value #DEFAULT_CANDIDATES} of each
 * fused with k = 60; the embedding searches with the query's words only (no {@code ; rule: ...} tail, identifiers
 * such as alert names read in words).
 * <ul>
 *   <li><b>Filter</b>: for a query of an incident type, documents declared for other types only (metadata
 *       {@code incident-types}) rank after every document that declares the type or none.
 *   <li><b>Sections</b>: a document is also split at its {@code ##} headings; each section is indexed with the
 *       document's title and metadata (ids {@code doc#0}, {@code doc#1}, ...). A result is a whole document whose
 *       text is its best lexical section (what {@link RetrievedDocument} carries and the agent shows). Ranking
 *       sections instead ({@link #setLexicalDocuments}, {@link #setDenseDocuments}, {@link #setFuseDocuments}
 *       false) was the default until 2026-12-06.
 *   <li><b>Reranking</b>: {@code score = rrf / max rrf + 0.15 type match + 0.10 service match
 *       + 0.05 freshness (post-mortems, 90-day half-life) + 0.4 (usefulness - 0.5)}, where usefulness is
 *       {@code (useful + 1) / (shown + 2)} from {@link #feedback}.
 *   <li><b>Persistence</b>: with {@link #open}, Lucene (sections), the vectors, the embedding model's id and the
 *       feedback live under the directory and are reloaded (whole documents are put together from the sections);
 *       vectors of another model are made again; {@link #upsert} and {@link #remove} are incremental.
 * </ul>
 */
public final class HybridKnowledgeBase implements KnowledgeBase, AutoCloseable {
  /** Candidates each side hands to the fusion by default (the bench's {@code hybrid}: top 100 of each list). */
  public static final int DEFAULT_CANDIDATES = 100;
  private static final int RRF_K = 60;
  private static final String MANIFEST = "index.properties";
  /** An identifier with a camel-case boundary ({@code KubePodCrashLooping}, {@code ErrImagePull}). */
  private static final java.util.regex.Pattern CAMEL_WORD =
      java.util.regex.Pattern.compile("\\b[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*\\b");

  private final LuceneKnowledgeBase lexical;
  /** Whole documents (each put together from its sections), in memory; rebuilt from the sections on open. */
  private final LuceneKnowledgeBase documents = LuceneKnowledgeBase.inMemory();
  private VectorIndex vectors;
  private final Embedder embedder;
  private final String modelId;
  private final @Nullable Path dir;
  /** What the vectors held are: "documents" or "sections" of this model; null while they must be made again. */
  private @Nullable String vectorsAre;
  private int candidates = DEFAULT_CANDIDATES;
  /** Whether BM25 ranks whole documents (the default) instead of sections. */
  private boolean lexicalDocuments = true;
  private final Map<String, List<String>> chunksByDoc = new HashMap<>();
  private final Map<String, int[]> usefulness = new TreeMap<>(); // doc -> {useful, shown}
  private dev.sreagent.rag.onnx.@Nullable OnnxCrossEncoder crossEncoder;
  /** The lexical margin at or above which the dense list stays out of the fusion; infinite: always fused. */
  private double lexicalGate = Double.POSITIVE_INFINITY;
  /** Whether the dense index holds one vector per document (its lead, the default) instead of one per section. */
  private boolean denseDocuments = true;
  /** Whether reciprocal rank fusion ranks documents (by their best section) instead of sections. */
  private boolean fuseDocuments = true;
  private volatile Clock clock = Clock.system();

  private HybridKnowledgeBase(LuceneKnowledgeBase lexical, VectorIndex vectors, Embedder embedder, String modelId,
      @Nullable Path dir) {
    this.lexical = lexical;
    this.vectors = vectors;
    this.embedder = embedder;
    this.modelId = Objects.requireNonNull(modelId, "modelId");
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
        modelIdOf(embedder), null);
  }

  /**
   * Persisted under {@code dir} (created if missing); what is there is reloaded. The embedding model's id
   * ({@link OnnxEmbedder#modelId()}; for another embedder its class and dimension) is stored with the index: when
   * the directory holds vectors of another model (or of a model it did not record), they are not used but made again
   * from the stored documents at the first {@link #upsertAll} or {@link #retrieve}.
   */
  public static HybridKnowledgeBase open(Path dir, Embedder embedder) {
    return open(dir, embedder, modelIdOf(embedder));
  }

  /**
   * As {@link #open(Path, Embedder)}, with the id of the embedder's model given.
   *
   * @param modelId what identifies the vectors {@code embedder} makes (a different id re-embeds the stored documents)
   */
  public static HybridKnowledgeBase open(Path dir, Embedder embedder, String modelId) {
    try {
      Files.createDirectories(dir);
      Properties manifest = IndexManifest.read(dir.resolve(MANIFEST));
      boolean sameModel = modelId.equals(manifest.getProperty(IndexManifest.MODEL));
      VectorIndex vectors = sameModel ? VectorIndex.load(dir.resolve("vectors"), embedder.dimension(),
          VectorIndex.DEFAULT_EXACT_BELOW) : new VectorIndex(embedder.dimension());
      HybridKnowledgeBase kb = new HybridKnowledgeBase(LuceneKnowledgeBase.open(dir.resolve("lucene")), vectors,
          embedder, modelId, dir);
      kb.loadFeedback();
      Map<String, List<KnowledgeDocument>> sections = IndexManifest.sectionsByDocument(kb.lexical.all());
      List<KnowledgeDocument> whole = new ArrayList<>();
      sections.forEach((doc, cs) -> {
        kb.chunksByDoc.put(doc, cs.stream().map(KnowledgeDocument::id).toList());
        whole.add(IndexManifest.whole(doc, cs));
      });
      kb.documents.upsertAll(whole);
      kb.vectorsAre = sameModel ? manifest.getProperty(IndexManifest.VECTORS) : null;
      return kb;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the knowledge directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The id a persisted index records for {@code embedder}'s vectors. */
  static String modelIdOf(Embedder embedder) {
    return embedder instanceof OnnxEmbedder o ? o.modelId()
        : embedder.getClass().getName() + " dimension " + embedder.dimension();
  }

  /** The id of the embedding model this knowledge base's vectors are made with. */
  public String modelId() {
    return modelId;
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
    ensureVectors();
    List<KnowledgeDocument> all = new ArrayList<>();
    List<KnowledgeDocument> whole = new ArrayList<>();
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
      KnowledgeDocument w = IndexManifest.whole(d.id(), cs);
      whole.add(w);
      addVectorTexts(w, cs, vectorIds, vectorTexts);
    }
    if (all.isEmpty()) {
      return;
    }
    lexical.upsertAll(all);
    this.documents.upsertAll(whole);
    embedInto(vectorIds, vectorTexts);
    vectorsAre = granularity();
    save();
  }

  private void addVectorTexts(KnowledgeDocument whole, List<KnowledgeDocument> sections, List<String> ids,
      List<String> texts) {
    if (denseDocuments) {
      ids.add(sections.get(0).id());
      texts.add(leadText(whole));
    } else {
      for (KnowledgeDocument c : sections) {
        ids.add(c.id());
        texts.add(c.title() + "\n" + c.text());
      }
    }
  }

  private String granularity() {
    return denseDocuments ? "documents" : "sections";
  }

  /**
   * Makes the vectors again from the stored sections when they are not what this knowledge base searches: made by
   * another model (see {@link #open}) or per section while documents are wanted (or the other way round).
   */
  private void ensureVectors() {
    if (granularity().equals(vectorsAre) || chunksByDoc.isEmpty()) {
      return;
    }
    vectors = new VectorIndex(embedder.dimension());
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    IndexManifest.sectionsByDocument(lexical.all()).forEach((doc, cs) ->
        addVectorTexts(IndexManifest.whole(doc, cs), cs, ids, texts));
    embedInto(ids, texts);
    vectorsAre = granularity();
    save();
  }

  private void embedInto(List<String> vectorIds, List<String> vectorTexts) {
    for (int i = 0; i < vectorIds.size(); i += 16) {
      int end = Math.min(vectorIds.size(), i + 16);
      List<float[]> vs = embedAll(vectorTexts.subList(i, end));
      for (int j = i; j < end; j++) {
        vectors.add(vectorIds.get(j), vs.get(j - i));
      }
    }
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

  /**
   * One text per model run: the int8 models quantise activations per batch, so a document's vector would depend on
   * the documents it happened to be batched with (and change when it is re-embedded alone).
   */
  private List<float[]> embedAll(List<String> texts) {
    return texts.stream().map(t -> embedder instanceof OnnxEmbedder onnx ? onnx.embedPassages(List.of(t)).get(0)
        : embedder.embed(t)).toList();
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
    documents.remove(docId);
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
   * What the dense index embeds: {@code true} (the default), one vector per document, its title in words and the
   * start of its body (as far as the model reads), under the first section's id; {@code false}, one vector per
   * section. Vectors already made the other way are made again at the next {@link #upsertAll} or {@link #retrieve}.
   *
   * @return this
   */
  public synchronized HybridKnowledgeBase setDenseDocuments(boolean wholeDocuments) {
    this.denseDocuments = wholeDocuments;
    return this;
  }

  /**
   * What BM25 ranks: {@code true} (the default), whole documents; {@code false}, sections. Either way the section
   * a result carries is the document's best lexical section, and documents are what is returned. Ranking whole
   * documents implies fusing documents ({@link #setFuseDocuments}).
   *
   * @return this
   */
  public synchronized HybridKnowledgeBase setLexicalDocuments(boolean wholeDocuments) {
    this.lexicalDocuments = wholeDocuments;
    return this;
  }

  /**
   * Whether the fusion ranks documents: {@code true} (the default), each list ranks a document by its best section,
   * so that the lexical and the dense side agree on a document even when they found different sections of it;
   * {@code false}, sections are fused as they are (only while BM25 ranks sections).
   *
   * @return this
   */
  public synchronized HybridKnowledgeBase setFuseDocuments(boolean byDocument) {
    this.fuseDocuments = byDocument;
    return this;
  }

  /**
   * How many results each side (BM25 and the embedding) hands to the reciprocal rank fusion (default
   * {@value #DEFAULT_CANDIDATES}).
   *
   * @param n at least 1
   * @return this
   */
  public synchronized HybridKnowledgeBase setCandidates(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("candidates must be at least 1, but was " + n);
    }
    this.candidates = n;
    return this;
  }

  /** The text a document's single vector is embedded from: its title in words, then its body. */
  static String leadText(KnowledgeDocument d) {
    return dev.sreagent.rag.AlertQuery.splitCamel(d.title()) + ". " + d.text();
  }

  /** Vectors indexed: one per document by default, one per section with {@code setDenseDocuments(false)}. */
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
    ensureVectors();
    KnowledgeQuery lexicalQuery = new KnowledgeQuery(lexicalText(q.text()), q.type(), q.services(), candidates);
    List<RetrievedDocument> sections = lexical.retrieve(lexicalQuery);
    List<RetrievedDocument> lex = lexicalDocuments ? documents.retrieve(lexicalQuery) : sections;
    String meaning = denseText(q.text());
    boolean confident = lex.size() > 1 && lex.get(0).score() > 0
        && (lex.get(0).score() - lex.get(1).score()) / lex.get(0).score() >= lexicalGate;
    List<VectorIndex.Hit> dense = meaning.isBlank() || confident ? List.of()
        : vectors.search(OnnxEmbedder.query(embedder, meaning), candidates);
    Map<String, Double> rrf = new HashMap<>();
    Map<String, KnowledgeDocument> chunk = new HashMap<>();
    if (fuseDocuments || lexicalDocuments) {
      // each list ranks documents (by their best section when it holds sections); the two ranks of a document add up
      // even when the lexical and the dense side found different sections of it. The section shown for a document
      // is its best lexical section, else the one the dense side found, else its first.
      int rank = 0;
      for (RetrievedDocument r : lex) {
        String parent = parentOf(r.document());
        if (!rrf.containsKey(parent)) {
          rrf.put(parent, 1.0 / (RRF_K + ++rank));
        }
      }
      for (RetrievedDocument r : sections) {
        chunk.putIfAbsent(parentOf(r.document()), r.document());
      }
      rank = 0;
      Map<String, String> denseSection = new HashMap<>();  // document -> the section the dense side found first
      for (VectorIndex.Hit h : dense) {
        int hash = h.id().lastIndexOf('#');
        String parent = hash < 0 ? h.id() : h.id().substring(0, hash);
        if (chunksByDoc.containsKey(parent) && denseSection.putIfAbsent(parent, h.id()) == null) {
          rrf.merge(parent, 1.0 / (RRF_K + ++rank), Double::sum);
        }
      }
      Map<String, String> wanted = new HashMap<>();  // document -> section to show, read in one search below
      for (String parent : rrf.keySet()) {
        List<String> ids = chunksByDoc.get(parent);
        if (!chunk.containsKey(parent) && (denseSection.containsKey(parent) || ids != null)) {
          wanted.put(parent, denseSection.getOrDefault(parent, ids == null ? "" : ids.get(0)));
        }
      }
      Map<String, KnowledgeDocument> read = lexical.getAll(wanted.values());
      wanted.forEach((parent, id) -> {
        KnowledgeDocument c = read.get(id);
        if (c != null) {
          chunk.put(parent, c);
        }
      });
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

  private static String parentOf(KnowledgeDocument d) {
    return d.metadata().getOrDefault("parent", d.id());
  }

  /**
   * The text BM25 searches with: the query with the {@code ; rule:} marker taken out and, where what follows it on
   * its line is a PromQL expression (the agent's alert summaries quote the rule as Prometheus wrote it), the
   * expression's metric names in words instead of its operators, functions, label matchers and numbers — the form
   * the cross-validated {@code kb} default was measured with (issue 17: the agent's own alert query scored below it).
   */
  static String lexicalText(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      java.util.regex.Matcher m = RULE_TAIL.matcher(line);
      if (m.find()) {
        String rule = line.substring(m.end());
        line = line.substring(0, m.start()) + " " + (PROMQL.matcher(rule).find()
            ? dev.sreagent.rag.AlertQuery.text(null, null, null, Map.of(), rule) : rule);
      }
      out.append(out.length() == 0 ? "" : "\n").append(line);
    }
    return out.toString().strip();
  }

  private static final java.util.regex.Pattern RULE_TAIL = java.util.regex.Pattern.compile(";\\s*rule:\\s*");
  /** What only an expression has: selectors, ranges, calls, comparisons. */
  private static final java.util.regex.Pattern PROMQL = java.util.regex.Pattern.compile("[{}\\[\\]()<>=!~]");

  /**
   * The text the embedding searches with: the query without rule expressions ({@code ; rule: ...}), which help
   * BM25 match metric names but only add noise to a sentence embedding.
   */
  static String denseText(String text) {
    String words = text.replaceAll(";\\s*rule:[^\n]*", "").strip();
    return CAMEL_WORD.matcher(words).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
        dev.sreagent.rag.AlertQuery.splitCamel(m.group())));
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
      IndexManifest.write(dir.resolve(MANIFEST), modelId, vectorsAre);
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
