package dev.sreagent.bench;

import dev.sreagent.detect.StreamingAnomalyScorer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Streams every {@code <data>/<category>/<file>.csv} (NAB layout, {@code timestamp,value}) through a fresh
 * {@link StreamingAnomalyScorer} and writes {@code <out>/<category>/sreagent_<file>.csv} with
 * {@code timestamp,value,anomaly_score}, one row per input row, scores at full double precision. The scorer knows
 * nothing of the file (length, labels, category): it is the one a user attaches to a custom metric.
 */
final class NabRunner {
  private NabRunner() {}

  static int run(Path data, Path out, PrintStream log) throws IOException {
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("--data must be a folder of <category>/<file>.csv, but " + data
          + " is not a folder");
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(data, 2)) {
      s.filter(p -> p.toString().endsWith(".csv") && data.relativize(p).getNameCount() == 2).sorted()
          .forEach(files::add);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no <category>/<file>.csv under " + data);
    }
    long points = 0;
    long scoringNanos = 0;
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).trim().startsWith("timestamp")) {
        throw new IllegalArgumentException(f + ": first line must be the header 'timestamp,value'");
      }
      StreamingAnomalyScorer scorer = new StreamingAnomalyScorer();
      Path category = data.relativize(f).getName(0);
      Path target = out.resolve(category.toString()).resolve("sreagent_" + f.getFileName());
      Files.createDirectories(target.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
        w.write("timestamp,value,anomaly_score\n");
        for (int i = 1; i < lines.size(); i++) {
          String line = lines.get(i);
          int comma = line.indexOf(',');
          if (comma < 0) {
            throw new IllegalArgumentException(f + ":" + (i + 1) + ": expected 'timestamp,value', got '" + line
                + "'");
          }
          String ts = line.substring(0, comma);
          String raw = line.substring(comma + 1).trim();
          double v;
          try {
            v = Double.parseDouble(raw);
          } catch (NumberFormatException e) {
            v = Double.NaN;
          }
          long t0 = System.nanoTime();
          double score = scorer.score(v);
          scoringNanos += System.nanoTime() - t0;
          w.write(ts);
          w.write(',');
          w.write(raw);
          w.write(',');
          w.write(Double.toString(score));
          w.write('\n');
          points++;
        }
      }
    }
    log.printf(Locale.ROOT, "nab: %d files, %d points -> %s; scoring %.0f points/s (%.0f ns/point)%n", files.size(),
        points, out, points * 1e9 / Math.max(1, scoringNanos), (double) scoringNanos / Math.max(1, points));
    return 0;
  }
}
