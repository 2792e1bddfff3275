package dev.sreagent.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.rag.hybrid.HybridKnowledgeBase;
import dev.sreagent.rag.onnx.OnnxCrossEncoder;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-encoder wiring, with a toy ONNX model written by this test (no real cross-encoder ships on Maven Central):
 * its logit is {@code 0.05 x tokens - 2}, so a longer (query, passage) pair is more "relevant". That proves pair
 * tokenisation, batching, padding, masking, logit extraction, the sigmoid, and that the knowledge base ranks by it.
 */
class CrossEncoderTest {
  /** Protobuf wire format, just enough for an ONNX ModelProto. */
  private static final class Proto {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long v) {
      tag(field, 0);
      raw(v);
      return this;
    }

    Proto bytes(int field, byte[] b) {
      tag(field, 2);
      raw(b.length);
      out.writeBytes(b);
      return this;
    }

    Proto string(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
      return bytes(field, m.out.toByteArray());
    }

    Proto floats(int field, float... fs) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (float f : fs) {
        int bits = Float.floatToIntBits(f);
        for (int i = 0; i < 4; i++) {
          b.write((bits >>> (8 * i)) & 0xff);
        }
      }
      return bytes(field, b.toByteArray());
    }

    private void tag(int field, int wire) {
      raw((long) field << 3 | wire);
    }

    private void raw(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) (v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
    }
  }

  private static Proto tensorType(int elemType, String... dims) {
    Proto shape = new Proto();
    for (String d : dims) {
      shape.message(1, d.matches("\\d+") ? new Proto().varint(1, Long.parseLong(d)) : new Proto().string(2, d));
    }
    return new Proto().message(1, new Proto().varint(1, elemType).message(2, shape));
  }

  private static Proto valueInfo(String name, int elemType, String... dims) {
    return new Proto().string(1, name).message(2, tensorType(elemType, dims));
  }

  private static Proto node(String op, List<String> in, String out, Proto... attrs) {
    Proto n = new Proto();
    in.forEach(i -> n.string(1, i));
    n.string(2, out).string(4, op);
    for (Proto a : attrs) {
      n.message(5, a);
    }
    return n;
  }

  /** logits[b, 0] = 0.05 * sum(attention_mask[b, :]) - 2 (ONNX opset 11). */
  static byte[] toyModel() {
    Proto graph = new Proto()
        .message(1, node("Cast", List.of("attention_mask"), "mask_f", new Proto().string(1, "to").varint(20, 2)
            .varint(3, 1)))
        .message(1, node("ReduceSum", List.of("mask_f"), "count", new Proto().string(1, "axes").varint(20, 7)
            .varint(8, 1), new Proto().string(1, "keepdims").varint(20, 2).varint(3, 1)))
        .message(1, node("Mul", List.of("count", "scale"), "scaled"))
        .message(1, node("Add", List.of("scaled", "bias"), "logits"))
        .string(2, "toy-cross-encoder")
        .message(5, new Proto().varint(2, 1).floats(4, 0.05f).string(8, "scale"))
        .message(5, new Proto().varint(2, 1).floats(4, -2f).string(8, "bias"))
        .message(11, valueInfo("input_ids", 7, "batch", "seq"))
        .message(11, valueInfo("attention_mask", 7, "batch", "seq"))
        .message(11, valueInfo("token_type_ids", 7, "batch", "seq"))
        .message(12, valueInfo("logits", 1, "batch", "1"));
    return new Proto().varint(1, 7).message(8, new Proto().string(1, "").varint(2, 11)).message(7, graph)
        .out.toByteArray();
  }

  @Test
  void pairsAreScoredTogetherAndTheKnowledgeBaseRanksByTheScore(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("toy.onnx");
    Files.write(model, toyModel());
    Path tokenizer = dir.resolve("tokenizer.json");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(OnnxEmbedder.DEFAULT_TOKENIZER)) {
      Files.write(tokenizer, in.readAllBytes());
    }
    try (OnnxCrossEncoder reranker = OnnxCrossEncoder.fromFiles(model, tokenizer, 1)) {
      double[] s = reranker.score("disk full", List.of("short", "a much longer passage with many more tokens in it"));
      // [CLS] disk full [SEP] short [SEP] = 6 tokens -> sigmoid(0.05 * 6 - 2)
      assertThat(s[0]).isCloseTo(1 / (1 + Math.exp(-(0.05 * 6 - 2))), org.assertj.core.data.Offset.offset(1e-6));
      assertThat(s[1]).isGreaterThan(s[0]);
      try (OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2()) {
        HybridKnowledgeBase kb = HybridKnowledgeBase.inMemory(embedder).withCrossEncoder(reranker);
        kb.upsertAll(List.of(
            new KnowledgeDocument("short", "Disk full", "Truncate logs.", Map.of()),
            new KnowledgeDocument("long", "Disk full on nodes", "When a disk is full, find the largest directories,"
                + " rotate or truncate logs in allow-listed paths, then expand the volume if it keeps filling.",
                Map.of())));
        assertThat(kb.retrieve(new KnowledgeQuery("disk full", null, Set.of(), 2)))
            .extracting(r -> r.document().id()).containsExactly("long", "short");
      }
    }
  }
}
