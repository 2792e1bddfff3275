package dev.sreagent.rag.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.HashMap;
import java.util.Map;

/** One BERT-style model run over a batch of tokenised texts, padded to the longest (the embedder's and the reranker's). */
final class OnnxBatch {
  /**
   * The model's first output (a Java array copy) and the attention mask of each padded row.
   *
   * @param value the first output, e.g. {@code float[batch][tokens][dims]} or {@code float[batch][logits]}
   * @param mask 1 for real tokens, 0 for padding
   */
  record Output(Object value, long[][] mask) {}

  private OnnxBatch() {}

  static Output run(OrtEnvironment env, OrtSession session, Encoding[] encs) throws OrtException {
    int len = 0;
    for (Encoding e : encs) {
      len = Math.max(len, e.getIds().length);
    }
    long[][] ids = new long[encs.length][len];
    long[][] mask = new long[encs.length][len];
    long[][] types = new long[encs.length][len];
    for (int i = 0; i < encs.length; i++) {
      System.arraycopy(encs[i].getIds(), 0, ids[i], 0, encs[i].getIds().length);
      System.arraycopy(encs[i].getAttentionMask(), 0, mask[i], 0, encs[i].getAttentionMask().length);
      System.arraycopy(encs[i].getTypeIds(), 0, types[i], 0, encs[i].getTypeIds().length);
    }
    try (OnnxTensor tIds = OnnxTensor.createTensor(env, ids);
        OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
        OnnxTensor tTypes = OnnxTensor.createTensor(env, types)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", tIds);
      inputs.put("attention_mask", tMask);
      if (session.getInputNames().contains("token_type_ids")) {
        inputs.put("token_type_ids", tTypes);
      }
      try (OrtSession.Result r = session.run(inputs)) {
        return new Output(r.get(0).getValue(), mask);
      }
    }
  }

  /** Closes a model's session and its tokenizer (the embedder's and the reranker's {@code close}). */
  static void close(OrtSession session, HuggingFaceTokenizer tokenizer) {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    tokenizer.close();
  }
}
