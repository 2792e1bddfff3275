package dev.sreagent.rag.hnsw;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import dev.sreagent.api.Require;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Nearest neighbours by inner product over L2-normalised vectors (cosine similarity). Below {@code exactBelow}
 * vectors (default 20,000, where a plain scan is as fast as a graph on this hardware) every search is an exact scan;
 * from there on an HNSW graph (hnswlib-java; M 16, efConstruction 64, ef 64) is built once and then kept up to date
 * incrementally. The vectors themselves are the source of truth: {@link #save} writes them (and the graph, when
 * there is one) to a directory, {@link #load} reads them back. {@link #recall} measures the graph against the exact
 * scan. Thread-safe.
 */
public final class VectorIndex {
  /** Default size from which the HNSW graph is used. */
  public static final int DEFAULT_EXACT_BELOW = 20_000;
  private static final String VECTORS = "vectors.bin";
  private static final String GRAPH = "hnsw.bin";

  /** A hit: id and cosine similarity. */
  public record Hit(String id, double score) {}

  /** An indexed vector (hnswlib items are serialised with the graph). */
  record Entry(String id, float[] vector, long version) implements Item<String, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private final int dimension;
  private final int exactBelow;
  private final Map<String, float[]> vectors = new LinkedHashMap<>();
  private @Nullable HnswIndex<String, float[], Entry, Float> graph;
  private long version;

  public VectorIndex(int dimension) {
    this(dimension, DEFAULT_EXACT_BELOW);
  }

  public VectorIndex(int dimension, int exactBelow) {
    this.dimension = Require.atLeast(dimension, 1, "dimension");
    this.exactBelow = Require.atLeast(exactBelow, 1, "exactBelow");
  }

  public int dimension() {
    return dimension;
  }

  /** Adds or replaces {@code id}. */
  public synchronized void add(String id, float[] vector) {
    Objects.requireNonNull(id, "id");
    if (vector.length != dimension) {
      throw new IllegalArgumentException("vector of " + id + " has " + vector.length + " dimensions, the index "
          + dimension);
    }
    float[] v = vector.clone();
    boolean replaced = vectors.put(id, v) != null;
    if (graph != null) {
      if (replaced) {
        graph.remove(id, ++version);
      }
      ensureCapacity(graph);
      graph.add(new Entry(id, v, ++version));
    } else if (vectors.size() >= exactBelow) {
      buildGraph();
    }
  }

  /** Removes {@code id}; returns whether it was there. */
  public synchronized boolean remove(String id) {
    boolean existed = vectors.remove(id) != null;
    if (existed && graph != null) {
      graph.remove(id, ++version);
    }
    return existed;
  }

  public synchronized int size() {
    return vectors.size();
  }

  /** Whether {@code id} is held. */
  public synchronized boolean contains(String id) {
    return vectors.containsKey(id);
  }

  /** The ids held, in insertion order. */
  public synchronized List<String> ids() {
    return List.copyOf(vectors.keySet());
  }

  /** Whether searches use the HNSW graph (size at or above the threshold). */
  public synchronized boolean usesGraph() {
    return graph != null;
  }

  /** The {@code k} most similar, best first. */
  public synchronized List<Hit> search(float[] query, int k) {
    if (graph == null) {
      return exact(query, k);
    }
    List<Hit> hits = new ArrayList<>();
    for (SearchResult<Entry, Float> r : graph.findNearest(query, k)) {
      hits.add(new Hit(r.item().id(), 1 - r.distance()));
    }
    return hits;
  }

  /** The {@code k} most similar by an exact scan, best first. */
  public synchronized List<Hit> exact(float[] query, int k) {
    List<Hit> hits = new ArrayList<>(vectors.size());
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      float[] v = e.getValue();
      double dot = 0;
      for (int i = 0; i < v.length; i++) {
        dot += v[i] * query[i];
      }
      hits.add(new Hit(e.getKey(), dot));
    }
    hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::id));
    return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
  }

  /**
   * Recall@k of the graph against the exact scan over {@code queries} (builds the graph if the index is below its
   * threshold, without changing what {@link #search} uses).
   */
  public synchronized double recall(List<float[]> queries, int k) {
    HnswIndex<String, float[], Entry, Float> g = graph != null ? graph : newGraph();
    int found = 0;
    int wanted = 0;
    for (float[] q : queries) {
      Set<String> truth = exact(q, k).stream().map(Hit::id).collect(Collectors.toSet());
      for (SearchResult<Entry, Float> r : g.findNearest(q, k)) {
        if (truth.contains(r.item().id())) {
          found++;
        }
      }
      wanted += truth.size();
    }
    return wanted == 0 ? 1.0 : (double) found / wanted;
  }

  private void buildGraph() {
    graph = newGraph();
  }

  private HnswIndex<String, float[], Entry, Float> newGraph() {
    HnswIndex<String, float[], Entry, Float> g = HnswIndex
        .newBuilder(dimension, DistanceFunctions.FLOAT_INNER_PRODUCT, Math.max(1024, vectors.size() * 2))
        .withM(16).withEfConstruction(64).withEf(64).withRemoveEnabled().build();
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      ensureCapacity(g);
      g.add(new Entry(e.getKey(), e.getValue(), ++version));
    }
    return g;
  }

  private static void ensureCapacity(HnswIndex<String, float[], Entry, Float> g) {
    if (g.size() + 1 >= g.getMaxItemCount()) {
      g.resize(g.getMaxItemCount() * 2);
    }
  }

  /** Writes the vectors (and the graph, when there is one) into {@code dir}, atomically per file. */
  public synchronized void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(VECTORS + ".tmp");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(dimension);
      out.writeInt(vectors.size());
      for (Map.Entry<String, float[]> e : vectors.entrySet()) {
        out.writeUTF(e.getKey());
        for (float f : e.getValue()) {
          out.writeFloat(f);
        }
      }
    }
    Files.move(tmp, dir.resolve(VECTORS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Path graphFile = dir.resolve(GRAPH);
    if (graph != null) {
      Path gtmp = dir.resolve(GRAPH + ".tmp");
      try (var out = new BufferedOutputStream(Files.newOutputStream(gtmp))) {
        graph.save(out);
      }
      Files.move(gtmp, graphFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } else {
      Files.deleteIfExists(graphFile);
    }
  }

  /** Reads an index written by {@link #save}; an empty index when {@code dir} holds none. */
  public static VectorIndex load(Path dir, int dimension, int exactBelow) throws IOException {
    VectorIndex index = new VectorIndex(dimension, exactBelow);
    Path file = dir.resolve(VECTORS);
    if (!Files.exists(file)) {
      return index;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int dim = in.readInt();
      if (dim != dimension) {
        throw new IOException(file + " holds " + dim + "-dimensional vectors, but the embedder makes " + dimension
            + "; delete the directory to re-embed with the new model");
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String id = in.readUTF();
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = in.readFloat();
        }
        index.vectors.put(id, v);
      }
    }
    Path graphFile = dir.resolve(GRAPH);
    if (index.vectors.size() >= index.exactBelow) {
      HnswIndex<String, float[], Entry, Float> g = Files.exists(graphFile)
          ? HnswIndex.load(graphFile, VectorIndex.class.getClassLoader()) : null;
      index.graph = g != null && g.size() == index.vectors.size() ? g : index.newGraph();
      index.version = Long.MAX_VALUE / 2; // above any version the loaded graph holds
    }
    return index;
  }
}
