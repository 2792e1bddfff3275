package dev.sreagent.rag;

import dev.sreagent.api.port.Embedder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Exact cosine search over unit vectors: for the corpora an agent keeps (a few thousand runbook chunks) a plain
 * scan is as fast as an approximate index and has perfect recall. Thread-safe.
 */
public final class DenseIndex {
  private final Embedder embedder;
  private final Map<String, float[]> vectors = new LinkedHashMap<>();
  private final String queryPrefix;
  private final String passagePrefix;

  public DenseIndex(Embedder embedder) {
    this(embedder, "", "");
  }

  /**
   * An index whose model wants its queries and passages marked (E5's {@code query: } / {@code passage: }, BGE's
   * retrieval instruction before queries).
   *
   * @param queryPrefix prepended to every query before it is embedded
   * @param passagePrefix prepended to every added text before it is embedded
   */
  public DenseIndex(Embedder embedder, String queryPrefix, String passagePrefix) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.queryPrefix = Objects.requireNonNull(queryPrefix, "queryPrefix");
    this.passagePrefix = Objects.requireNonNull(passagePrefix, "passagePrefix");
  }

  /** A hit. */
  public record Hit(String id, double score) {}

  /** Embeds and stores {@code text} under {@code id} (replacing). */
  public void add(String id, String text) {
    float[] v = embedder.embed(passagePrefix + text);
    synchronized (vectors) {
      vectors.put(id, v);
    }
  }

  /** Removes {@code id}. */
  public boolean remove(String id) {
    synchronized (vectors) {
      return vectors.remove(id) != null;
    }
  }

  /** The {@code k} nearest by cosine similarity, best first. */
  public List<Hit> search(String query, int k) {
    float[] q = embedder.embed(queryPrefix + query);
    List<Hit> hits = new ArrayList<>();
    synchronized (vectors) {
      for (Map.Entry<String, float[]> e : vectors.entrySet()) {
        float[] v = e.getValue();
        double dot = 0;
        for (int i = 0; i < v.length; i++) {
          dot += v[i] * q[i];
        }
        hits.add(new Hit(e.getKey(), dot));
      }
    }
    hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::id));
    return hits.subList(0, Math.min(k, hits.size()));
  }

  /** Number of vectors. */
  public int size() {
    synchronized (vectors) {
      return vectors.size();
    }
  }

  /**
   * Reciprocal rank fusion: each list contributes {@code 1 / (k + rank)} per id (rank from 1); best first.
   *
   * @param k damping constant (60 in the original paper)
   */
  public static List<String> fuse(List<List<String>> rankings, int k, int limit) {
    Map<String, Double> score = new LinkedHashMap<>();
    for (List<String> ranking : rankings) {
      for (int i = 0; i < ranking.size(); i++) {
        score.merge(ranking.get(i), 1.0 / (k + i + 1), Double::sum);
      }
    }
    return score.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(limit).map(Map.Entry::getKey).toList();
  }
}
