package dev.sreagent.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.rag.onnx.OnnxEmbedder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {
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
}
