package dev.sreagent.core.knowledge;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.KnowledgeBase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A small in-memory knowledge base scored with Okapi BM25 (k1 = 1.2, b = 0.75), boosted when a document's metadata
 * names the query's incident type (x1.5) or one of its services (x1.2). The default of the SDK; the
 * {@code sre-agent-rag} module provides dense and hybrid retrieval for larger corpora. Thread-safe.
 *
 * <p>Extension point: {@link #bundledRunbooks()} seeds other knowledge bases ({@code sre-agent-rag} does);
 * kept stable (checked by the architecture tests).
 */
public final class LexicalKnowledgeBase implements KnowledgeBase {
  private static final double K1 = 1.2;
  private static final double B = 0.75;
  private static final String BUNDLED = "dev/sreagent/knowledge/";

  private final Map<String, KnowledgeDocument> docs = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> termFreqs = new HashMap<>();
  private final Map<String, Integer> lengths = new HashMap<>();
  private final Map<String, Integer> docFreq = new HashMap<>();
  private long totalLength;

  /** An empty knowledge base. */
  public LexicalKnowledgeBase() {}

  /** A knowledge base holding the runbooks bundled with the SDK. */
  public static LexicalKnowledgeBase withBundledRunbooks() {
    LexicalKnowledgeBase kb = new LexicalKnowledgeBase();
    for (KnowledgeDocument d : bundledRunbooks()) {
      kb.upsert(d);
    }
    return kb;
  }

  /** The runbooks shipped in this jar under {@code dev/sreagent/knowledge/}. */
  public static List<KnowledgeDocument> bundledRunbooks() {
    ClassLoader cl = LexicalKnowledgeBase.class.getClassLoader();
    List<KnowledgeDocument> out = new ArrayList<>();
    for (String name : read(cl, BUNDLED + "index.txt").split("\n")) {
      if (!name.isBlank()) {
        out.add(MarkdownDocuments.parse(read(cl, BUNDLED + name.trim()), name.trim().replace(".md", "")));
      }
    }
    return out;
  }

  private static String read(ClassLoader cl, String path) {
    try (InputStream in = cl.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("bundled knowledge resource " + path + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> tokenize(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"))
        .filter(t -> t.length() > 1 && !STOP_WORDS.contains(t))
        .toList();
  }

  /**
   * English function words, never searched (Lucene's English stop set without "no" and "not", which runbooks use):
   * a service named {@code be} (a backend) made the one runbook that says "be" once outrank the CPU runbook for its
   * CPU summary (found by {@code CpuSaturationRunbookProperties}).
   */
  private static final java.util.Set<String> STOP_WORDS = java.util.Set.of("an", "and", "are", "as", "at", "be", "but",
      "by", "for", "if", "in", "into", "is", "it", "of", "on", "or", "such", "that", "the", "their", "then", "there",
      "these", "they", "this", "to", "was", "will", "with");

  @Override
  public synchronized void upsert(KnowledgeDocument d) {
    remove(d.id());
    Map<String, Integer> tf = new HashMap<>();
    // titles count twice; the incident types a document covers are searchable words too
    List<String> tokens = tokenize(d.title() + " " + d.title() + " " + d.text() + " "
        + d.metadata().getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "").replace('-', ' '));
    for (String t : tokens) {
      tf.merge(t, 1, Integer::sum);
    }
    for (String t : tf.keySet()) {
      docFreq.merge(t, 1, Integer::sum);
    }
    docs.put(d.id(), d);
    termFreqs.put(d.id(), tf);
    lengths.put(d.id(), tokens.size());
    totalLength += tokens.size();
  }

  @Override
  public synchronized boolean remove(String id) {
    KnowledgeDocument old = docs.remove(id);
    if (old == null) {
      return false;
    }
    for (String t : termFreqs.remove(id).keySet()) {
      docFreq.computeIfPresent(t, (k, v) -> v == 1 ? null : v - 1);
    }
    totalLength -= lengths.remove(id);
    return true;
  }

  @Override
  public synchronized List<RetrievedDocument> retrieve(KnowledgeQuery q) {
    if (docs.isEmpty()) {
      return List.of();
    }
    List<String> terms = tokenize(q.text() + (q.type() == null ? "" : " " + q.type().name().replace('-', ' ')));
    if (!q.services().isEmpty()) {
      // the services' names say where, not what: a service named "go" or "db" must not pull in the one runbook that
      // happens to use that word (services weigh through the documents' services metadata, see boost)
      java.util.Set<String> names = new java.util.HashSet<>();
      q.services().forEach(service -> names.addAll(tokenize(service)));
      terms = terms.stream().filter(t -> !names.contains(t)).toList();
    }
    double avgLen = (double) totalLength / docs.size();
    List<RetrievedDocument> scored = new ArrayList<>();
    for (KnowledgeDocument d : docs.values()) {
      Map<String, Integer> tf = termFreqs.get(d.id());
      double len = lengths.get(d.id());
      double s = 0;
      for (String t : terms) {
        Integer f = tf.get(t);
        if (f == null) {
          continue;
        }
        int df = docFreq.getOrDefault(t, 0);
        double idf = Math.log(1 + (docs.size() - df + 0.5) / (df + 0.5));
        s += idf * f * (K1 + 1) / (f + K1 * (1 - B + B * len / avgLen));
      }
      s *= boost(d, q.type(), q.services());
      if (s > 0) {
        scored.add(new RetrievedDocument(d, s));
      }
    }
    scored.sort(Comparator.comparingDouble(RetrievedDocument::score).reversed()
        .thenComparing(r -> r.document().id()));
    return List.copyOf(scored.subList(0, Math.min(q.limit(), scored.size())));
  }

  private static double boost(KnowledgeDocument d, @Nullable IncidentType type, Set<String> services) {
    double boost = 1;
    String types = d.metadata().getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "");
    if (type != null && Arrays.asList(types.split("\\s*,\\s*")).contains(type.name())) {
      boost *= 1.5;
    }
    String docServices = d.metadata().getOrDefault(KnowledgeDocument.SERVICES, "");
    for (String s : docServices.split("\\s*,\\s*")) {
      if (!s.isEmpty() && services.contains(s)) {
        boost *= 1.2;
        break;
      }
    }
    return boost;
  }

  @Override
  public synchronized int size() {
    return docs.size();
  }
}
