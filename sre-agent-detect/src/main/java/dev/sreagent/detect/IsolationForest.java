package dev.sreagent.detect;

import dev.sreagent.api.Require;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Isolation Forest (Liu, Ting, Zhou 2008) for multi-dimensional anomalies, deterministic under a seed: the same
 * seed and the same training data give the same forest and the same scores.
 *
 * <p>Scores are {@code 2^(-E[h(x)] / c(psi))}: near 1 for points isolated in few splits, below 0.5 for ordinary
 * ones. {@link #attribution(double[])} says which features isolated a point: each split on the point's path credits
 * its feature with the bits of isolation it contributed, {@code log2(points before / points after)}, normalised to
 * sum to 1.
 */
public final class IsolationForest {
  private final Node[] trees;
  private final int dimensions;
  private final double normaliser;

  private sealed interface Node permits Split, Leaf {}

  private record Split(int feature, double value, Node left, Node right, int size) implements Node {}

  private record Leaf(int size) implements Node {}

  private IsolationForest(Node[] trees, int dimensions, int sampleSize) {
    this.trees = trees;
    this.dimensions = dimensions;
    this.normaliser = averagePathLength(sampleSize);
  }

  /**
   * Trains a forest.
   *
   * @param data rows of equal length, at least 2
   * @param trees number of trees (for example 100)
   * @param sampleSize rows per tree (for example 256; capped at the data size)
   * @param seed random seed
   */
  public static IsolationForest train(double[][] data, int trees, int sampleSize, long seed) {
    Objects.requireNonNull(data, "data");
    if (data.length < 2) {
      throw new IllegalArgumentException("data must have at least 2 rows, but had " + data.length);
    }
    Require.atLeast(trees, 1, "trees");
    Require.atLeast(sampleSize, 2, "sampleSize");
    int dims = data[0].length;
    for (double[] row : data) {
      if (row.length != dims) {
        throw new IllegalArgumentException("every row must have " + dims + " features, but one had " + row.length);
      }
    }
    int psi = Math.min(sampleSize, data.length);
    int limit = (int) Math.ceil(Math.log(psi) / Math.log(2));
    SplittableRandom rng = new SplittableRandom(seed);
    Node[] forest = new Node[trees];
    int[] index = new int[data.length];
    for (int t = 0; t < trees; t++) {
      for (int i = 0; i < index.length; i++) {
        index[i] = i;
      }
      for (int i = 0; i < psi; i++) { // partial Fisher-Yates: a sample without replacement
        int j = i + rng.nextInt(index.length - i);
        int tmp = index[i];
        index[i] = index[j];
        index[j] = tmp;
      }
      forest[t] = build(data, Arrays.copyOf(index, psi), 0, limit, rng, dims);
    }
    return new IsolationForest(forest, dims, psi);
  }

  private static Node build(double[][] data, int[] rows, int depth, int limit, SplittableRandom rng, int dims) {
    if (depth >= limit || rows.length <= 1) {
      return new Leaf(rows.length);
    }
    int[] candidates = new int[dims];
    int n = 0;
    for (int f = 0; f < dims; f++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int r : rows) {
        min = Math.min(min, data[r][f]);
        max = Math.max(max, data[r][f]);
      }
      if (max > min) {
        candidates[n++] = f;
      }
    }
    if (n == 0) {
      return new Leaf(rows.length);
    }
    int feature = candidates[rng.nextInt(n)];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int r : rows) {
      min = Math.min(min, data[r][feature]);
      max = Math.max(max, data[r][feature]);
    }
    double split = min + rng.nextDouble() * (max - min);
    int left = 0;
    for (int r : rows) {
      if (data[r][feature] < split) {
        left++;
      }
    }
    int[] l = new int[left];
    int[] rr = new int[rows.length - left];
    int li = 0;
    int ri = 0;
    for (int r : rows) {
      if (data[r][feature] < split) {
        l[li++] = r;
      } else {
        rr[ri++] = r;
      }
    }
    return new Split(feature, split, build(data, l, depth + 1, limit, rng, dims),
        build(data, rr, depth + 1, limit, rng, dims), rows.length);
  }

  /** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
  static double averagePathLength(int n) {
    if (n <= 1) {
      return 0;
    }
    if (n == 2) {
      return 1;
    }
    double harmonic = Math.log(n - 1.0) + 0.5772156649;
    return 2 * harmonic - 2.0 * (n - 1) / n;
  }

  /** The anomaly score of {@code x} in (0, 1]. */
  public double score(double[] x) {
    checkDims(x);
    double total = 0;
    for (Node tree : trees) {
      total += pathLength(tree, x, 0, null);
    }
    return Math.pow(2, -(total / trees.length) / normaliser);
  }

  /** Per-feature share of the isolation of {@code x}, summing to 1 (all zero when no split was used). */
  public double[] attribution(double[] x) {
    checkDims(x);
    double[] credit = new double[dimensions];
    for (Node tree : trees) {
      pathLength(tree, x, 0, credit);
    }
    double sum = Arrays.stream(credit).sum();
    if (sum > 0) {
      for (int i = 0; i < credit.length; i++) {
        credit[i] /= sum;
      }
    }
    return credit;
  }

  private static double pathLength(Node node, double[] x, int depth, double[] credit) {
    Node n = node;
    int d = depth;
    while (n instanceof Split s) {
      Node next = x[s.feature()] < s.value() ? s.left() : s.right();
      if (credit != null) {
        credit[s.feature()] += Math.log((double) s.size() / Math.max(1, sizeOf(next))) / Math.log(2);
      }
      n = next;
      d++;
    }
    return d + averagePathLength(((Leaf) n).size());
  }

  private static int sizeOf(Node n) {
    return n instanceof Split s ? s.size() : ((Leaf) n).size();
  }

  private void checkDims(double[] x) {
    if (x.length != dimensions) {
      throw new IllegalArgumentException("x must have " + dimensions + " features, but had " + x.length);
    }
  }

  /** Number of features. */
  public int dimensions() {
    return dimensions;
  }
}
