package dev.sreagent.rag.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cross-encoder reranker from an ONNX export that the user provides (none ships on Maven Central): the query and
 * each passage are tokenised as a pair and scored together; the score is the sigmoid of the model's last logit
 * (the single logit of an MS MARCO-style reranker, or the "relevant" class of a two-class one). Batched, padded,
 * masked. Thread-safe.
 */
public final class OnnxCrossEncoder implements AutoCloseable {
  static {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;

  private OnnxCrossEncoder(byte[] model, InputStream tokenizerJson, int threads) throws OrtException, IOException {
    this.env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(threads);
    this.session = env.createSession(model, opts);
    Map<String, String> cfg = new HashMap<>();
    cfg.put("padding", "false");
    cfg.put("truncation", "true");
    cfg.put("maxLength", "512");
    this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, cfg);
  }

  /** A cross-encoder ONNX export and its {@code tokenizer.json}. */
  public static OnnxCrossEncoder fromFiles(Path model, Path tokenizer, int threads) {
    try (InputStream t = Files.newInputStream(tokenizer)) {
      return new OnnxCrossEncoder(Files.readAllBytes(model), t, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the reranker " + model + " or tokenizer " + tokenizer + ": "
          + e.getMessage(), e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the reranker model " + model + ": " + e.getMessage(), e);
    }
  }

  /** Relevance of each passage to the query, in (0, 1). */
  public double[] score(String query, List<String> passages) {
    if (passages.isEmpty()) {
      return new double[0];
    }
    Encoding[] encs = new Encoding[passages.size()];
    synchronized (tokenizer) {
      for (int i = 0; i < encs.length; i++) {
        encs[i] = tokenizer.encode(query, passages.get(i));
      }
    }
    try {
      Object out = OnnxBatch.run(env, session, encs).value();
      double[] scores = new double[encs.length];
      for (int i = 0; i < encs.length; i++) {
        double logit = out instanceof float[][] m ? m[i][m[i].length - 1] : ((float[]) out)[i];
        scores[i] = 1 / (1 + Math.exp(-logit));
      }
      return scores;
    } catch (OrtException e) {
      throw new IllegalStateException("reranking failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    OnnxBatch.close(session, tokenizer);
  }
}
