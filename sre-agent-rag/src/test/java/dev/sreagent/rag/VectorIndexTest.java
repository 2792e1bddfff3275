package dev.sreagent.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.rag.hnsw.VectorIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorIndexTest {
  private static float[] unit(Random rng, int dim) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rng.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  @Test
  void smallIndexesScanExactlyAndLargeOnesUseAGraphWithHighRecall(@TempDir Path dir) throws Exception {
    Random rng = new Random(5);
    VectorIndex index = new VectorIndex(64, 1_000);
    for (int i = 0; i < 500; i++) {
      index.add("v" + i, unit(rng, 64));
    }
    assertThat(index.usesGraph()).isFalse();
    float[] q0 = unit(rng, 64);
    assertThat(index.search(q0, 5)).isEqualTo(index.exact(q0, 5));
    for (int i = 500; i < 3_000; i++) {
      index.add("v" + i, unit(rng, 64));
    }
    assertThat(index.usesGraph()).isTrue();
    List<float[]> queries = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      queries.add(unit(rng, 64));
    }
    double recall = index.recall(queries, 10);
    System.out.printf("HNSW recall@10 over 3,000 random 64-d vectors: %.3f%n", recall);
    assertThat(recall).isGreaterThan(0.9);

    // incremental: a removed vector is never found, a replaced one is found at its new place
    float[] target = queries.get(0);
    index.add("v7", target);
    assertThat(index.search(target, 1).get(0).id()).isEqualTo("v7");
    index.remove("v7");
    assertThat(index.search(target, 10)).extracting(VectorIndex.Hit::id).doesNotContain("v7");

    index.save(dir);
    VectorIndex loaded = VectorIndex.load(dir, 64, 1_000);
    assertThat(loaded.size()).isEqualTo(index.size());
    assertThat(loaded.usesGraph()).isTrue();
    assertThat(loaded.search(queries.get(1), 10)).isEqualTo(index.search(queries.get(1), 10));
    loaded.add("new", queries.get(2));
    assertThat(loaded.search(queries.get(2), 1).get(0).id()).isEqualTo("new");
  }
}
