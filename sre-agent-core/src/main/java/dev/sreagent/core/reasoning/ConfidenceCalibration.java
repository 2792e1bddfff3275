package dev.sreagent.core.reasoning;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Maps a reasoner's stated confidence to how often diagnoses stated with that confidence were right: isotonic
 * regression (pool-adjacent-violators) over graded diagnoses, then each block's rate smoothed as
 * {@code (right + 1) / (n + 2)} so that a few lucky or unlucky diagnoses never yield 0 or 1, then linear interpolation
 * between the blocks' mean stated confidences. Fitted from reviewed diagnoses (for example
 * {@code sre-agent-bench diagnosis --fit FILE}) and given to the agent with
 * {@code builder.setConfidenceCalibration(...)}; the diagnosis explains the mapping it applied.
 */
public final class ConfidenceCalibration {
  private final String reasoner;
  private final double[] stated;
  private final double[] rate;
  private final int diagnoses;

  private ConfidenceCalibration(String reasoner, double[] stated, double[] rate, int diagnoses) {
    this.reasoner = reasoner;
    this.stated = stated;
    this.rate = rate;
    this.diagnoses = diagnoses;
  }

  /**
   * Fits a calibration for the reasoner named {@code reasoner} (as in {@code Diagnosis.reasoner()}) from
   * {@code (stated confidence, right)} pairs. It applies to that reasoner's diagnoses only: a map learned for one
   * reasoner says nothing about another, and must never lift a confidence another reasoner capped.
   */
  public static ConfidenceCalibration fit(String reasoner, List<double[]> graded) {
    if (graded.isEmpty()) {
      throw new IllegalArgumentException("need at least one graded diagnosis to calibrate");
    }
    List<double[]> sorted = new ArrayList<>(graded);
    sorted.sort(Comparator.comparingDouble(g -> g[0]));
    // blocks: {sum stated, right, n}
    List<double[]> blocks = new ArrayList<>();
    for (int i = 0; i < sorted.size(); ) {
      // diagnoses stated with the same confidence form one block from the start
      double value = sorted.get(i)[0];
      double[] block = {0, 0, 0};
      for (; i < sorted.size() && sorted.get(i)[0] == value; i++) {
        block[0] += value;
        block[1] += sorted.get(i)[1] > 0 ? 1 : 0;
        block[2]++;
      }
      blocks.add(block);
      while (blocks.size() > 1) {
        double[] last = blocks.get(blocks.size() - 1);
        double[] prev = blocks.get(blocks.size() - 2);
        if (prev[1] / prev[2] < last[1] / last[2]) {
          break; // already increasing: pool-adjacent-violators merges only violators (and ties)
        }
        prev[0] += last[0];
        prev[1] += last[1];
        prev[2] += last[2];
        blocks.remove(blocks.size() - 1);
      }
    }
    double[] stated = new double[blocks.size()];
    double[] rate = new double[blocks.size()];
    for (int i = 0; i < blocks.size(); i++) {
      double[] b = blocks.get(i);
      stated[i] = b[0] / b[2];
      // smoothing can undo the order of a small block after a large one: keep the map non-decreasing
      rate[i] = Math.max((b[1] + 1) / (b[2] + 2), i == 0 ? 0 : rate[i - 1]);
    }
    return new ConfidenceCalibration(reasoner, stated, rate, graded.size());
  }

  /** The reasoner whose diagnoses this calibration maps. */
  public String reasoner() {
    return reasoner;
  }

  /** The calibrated confidence for a stated one. */
  public double apply(double confidence) {
    if (confidence <= stated[0]) {
      return rate[0];
    }
    for (int i = 1; i < stated.length; i++) {
      if (confidence <= stated[i]) {
        double f = (confidence - stated[i - 1]) / (stated[i] - stated[i - 1]);
        return rate[i - 1] + f * (rate[i] - rate[i - 1]);
      }
    }
    return rate[rate.length - 1];
  }

  /** Graded diagnoses the calibration was fitted on. */
  public int diagnoses() {
    return diagnoses;
  }

  /** Writes the table: a header line with the number of diagnoses, then one {@code stated rate} line per block. */
  public void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder("# sre-agent confidence calibration: stated -> right rate, fitted on ")
        .append(diagnoses).append(" graded diagnoses\nreasoner ").append(reasoner).append('\n');
    for (int i = 0; i < stated.length; i++) {
      b.append(String.format(Locale.ROOT, "%.6f %.6f%n", stated[i], rate[i]));
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }

  /** Reads a table written by {@link #write}; the exception names the file and line of a bad entry. */
  public static ConfidenceCalibration read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<double[]> points = new ArrayList<>();
    int diagnoses = 0;
    String reasoner = null;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("reasoner ")) {
        reasoner = l.substring("reasoner ".length()).strip();
        continue;
      }
      if (l.startsWith("#")) {
        var m = java.util.regex.Pattern.compile("fitted on (\\d+)").matcher(l);
        if (m.find()) {
          diagnoses = Integer.parseInt(m.group(1));
        }
        continue;
      }
      if (l.isEmpty()) {
        continue;
      }
      String[] parts = l.split("\\s+");
      try {
        double s = Double.parseDouble(parts[0]);
        double r = Double.parseDouble(parts[1]);
        if (!(s >= 0 && s <= 1 && r >= 0 && r <= 1)) {
          throw new NumberFormatException("outside [0, 1]");
        }
        points.add(new double[] {s, r});
      } catch (RuntimeException e) {
        throw new IOException(file + ":" + (i + 1) + ": expected 'stated rate' (two numbers in [0, 1]), got '" + l
            + "'");
      }
    }
    if (points.isEmpty()) {
      throw new IOException(file + " holds no calibration points");
    }
    if (reasoner == null || reasoner.isEmpty()) {
      throw new IOException(file + " does not name its reasoner (a line 'reasoner NAME', e.g. offline-evidence)");
    }
    points.sort(Comparator.comparingDouble(p -> p[0]));
    return new ConfidenceCalibration(reasoner, points.stream().mapToDouble(p -> p[0]).toArray(),
        points.stream().mapToDouble(p -> p[1]).toArray(), diagnoses);
  }
}
