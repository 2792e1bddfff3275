package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RootCauseRankerProperties {
  static final List<String> SIGNALS = List.of(MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO,
      MetricNames.CPU_UTILIZATION, MetricNames.MEMORY_UTILIZATION);

  record Case(List<RootCauseRanker.Series> series, Topology topology, Instant onset, Set<String> scorable) {}

  /** Random services with random (sometimes missing, sometimes wild) series and a random call graph. */
  static Case randomCase(long seed) {
    Random rng = new Random(seed);
    int services = 1 + rng.nextInt(8);
    long step = 60_000L * (1 + rng.nextInt(5));
    int points = 2 + rng.nextInt(50);
    Instant onset = Instant.ofEpochMilli(step * rng.nextInt(points + 2));
    List<RootCauseRanker.Series> series = new ArrayList<>();
    Set<Topology.Dependency> deps = new HashSet<>();
    for (int s = 0; s < services; s++) {
      for (String signal : SIGNALS) {
        if (rng.nextInt(3) == 0) {
          continue;
        }
        long[] t = new long[points];
        double[] v = new double[points];
        double level = rng.nextDouble() * (rng.nextBoolean() ? 1 : 1e6);
        for (int i = 0; i < points; i++) {
          t[i] = i * step;
          v[i] = rng.nextInt(20) == 0 ? Double.NaN : level * (1 + rng.nextGaussian() * rng.nextDouble())
              + (rng.nextInt(10) == 0 ? rng.nextDouble() * 1e9 : 0);
        }
        series.add(new RootCauseRanker.Series("s" + s, signal, t, v));
      }
      for (int d = 0; d < services; d++) {
        if (d != s && rng.nextInt(4) == 0) {
          deps.add(new Topology.Dependency("s" + s, "s" + d));
        }
      }
    }
    return new Case(series, new Topology(Map.of(), deps), onset, Set.of());
  }

  /**
   * The services whose own CPU or memory reaches the threshold (a saturated resource is a cause where it is, so such a
   * service is a start whatever it calls), from the ranker's per-series score.
   */
  static Set<String> saturated(Case c, RootCauseRanker ranker) {
    Set<String> out = new HashSet<>();
    for (RootCauseRanker.Series s : c.series()) {
      if (RootCauseRanker.CAUSE_SIGNALS.contains(s.signal())) {
        RootCauseRanker.Scored z = ranker.score(s, c.onset().toEpochMilli());
        if (z != null && z.z() >= ranker.settings().threshold()) {
          out.add(s.service());
        }
      }
    }
    return out;
  }

  @Property(tries = 300)
  void eachServiceAppearsAtMostOnceWithAFiniteNonNegativeScore(@ForAll long seed) {
    Case c = randomCase(seed);
    List<RootCandidate> ranked = new RootCauseRanker().rank(c.series(), c.onset(), c.topology(), Set.of());
    List<String> names = ranked.stream().map(RootCandidate::service).toList();
    assertThat(names).doesNotHaveDuplicates();
    assertThat(c.series().stream().map(RootCauseRanker.Series::service)).containsAll(names);
    assertThat(ranked).allSatisfy(r -> assertThat(r.score()).isFinite().isGreaterThanOrEqualTo(0));
  }

  @Property(tries = 300)
  void theOrderDoesNotDependOnTheOrderOfTheInput(@ForAll long seed) {
    Case c = randomCase(seed);
    List<RootCauseRanker.Series> shuffled = new ArrayList<>(c.series());
    Collections.shuffle(shuffled, new Random(seed ^ 0x5DEECE66DL));
    RootCauseRanker ranker = new RootCauseRanker();
    assertThat(ranker.rank(shuffled, c.onset(), c.topology(), Set.of()))
        .isEqualTo(ranker.rank(c.series(), c.onset(), c.topology(), Set.of()));
  }

  @Property(tries = 300)
  void everyAnomalousServiceComesBeforeEveryQuietOneAndNoAnomalousServiceBeforeItsAnomalousCallee(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int threshold) {
    Case c = randomCase(seed);
    RootCauseRanker ranker = new RootCauseRanker(RootCauseRanker.Settings.DEFAULTS.withThreshold(threshold));
    List<RootCandidate> ranked = ranker.rank(c.series(), c.onset(), c.topology(), Set.of());
    Set<String> saturated = saturated(c, ranker);
    for (int i = 0; i < ranked.size(); i++) {
      for (int j = i + 1; j < ranked.size(); j++) {
        RootCandidate earlier = ranked.get(i);
        RootCandidate later = ranked.get(j);
        // a quiet service never precedes an anomalous one
        assertThat(earlier.score() < threshold && later.score() >= threshold).isFalse();
        // an anomalous service that calls (transitively) a later anomalous service would have been demoted below
        // every anomalous service without such a callee, unless its own CPU or memory is saturated
        if (earlier.score() >= threshold && later.score() >= threshold && !saturated.contains(earlier.service())
            && c.topology().reaches(earlier.service(), later.service())) {
          boolean laterIsLeaf = ranked.stream().filter(x -> x.score() >= threshold && !x.equals(later))
              .noneMatch(x -> c.topology().reaches(later.service(), x.service()));
          assertThat(laterIsLeaf).as("%s ranked before its anomalous leaf callee %s", earlier, later).isFalse();
        }
      }
    }
  }

  @Property(tries = 300)
  void knowingTheSymptomsServiceReordersTheStartsOnlyAndNeverPutsAQuietServiceFirst(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 7) int entry) {
    Case c = randomCase(seed);
    RootCauseRanker ranker = new RootCauseRanker();
    List<RootCandidate> without = ranker.rank(c.series(), c.onset(), c.topology(), Set.of());
    List<RootCandidate> with = ranker.rank(c.series(), c.onset(), c.topology(), Set.of(), Set.of("s" + entry));
    // the same candidates with the same scores and evidence of the score
    assertThat(with).hasSameSizeAs(without);
    assertThat(with.stream().map(RootCandidate::service).toList())
        .containsExactlyInAnyOrderElementsOf(without.stream().map(RootCandidate::service).toList());
    for (RootCandidate r : with) {
      RootCandidate o = without.stream().filter(x -> x.service().equals(r.service())).findFirst().orElseThrow();
      assertThat(r.score()).isEqualTo(o.score());
      assertThat(r.signal()).isEqualTo(o.signal());
    }
    double t = ranker.settings().threshold();
    for (int i = 0; i < with.size(); i++) {
      for (int j = i + 1; j < with.size(); j++) {
        assertThat(with.get(i).score() < t && with.get(j).score() >= t).isFalse();
      }
    }
    // the anomalous services keep their places relative to the quiet ones: the same count of each at the top
    long anomalous = without.stream().filter(x -> x.score() >= t).count();
    assertThat(with.subList(0, (int) anomalous)).allSatisfy(x -> assertThat(x.score()).isGreaterThanOrEqualTo(t));
  }

  /**
   * With entries, the list is the list without them with its starts (anomalous, and no anomalous service among their
   * transitive callees other than themselves or their own CPU or memory saturated) stably split: first those a chain of anomalous services links to an
   * entry (or that are one), then the rest; every other place unchanged. The oracle is computed here from the
   * topology alone, on graphs with cycles, self-loops and entries that are not services.
   */
  @Property(tries = 300)
  void theEntriesSplitTheStartsIntoLinkedThenUnlinkedAndMoveNothingElse(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 30) int threshold) {
    Case c = randomCase(seed);
    Random rng = new Random(~seed);
    Set<Topology.Dependency> deps = new HashSet<>(c.topology().dependencies());
    for (int s = 0; s < 8; s++) {
      if (rng.nextInt(4) == 0) {
        deps.add(new Topology.Dependency("s" + s, "s" + s));
      }
    }
    Topology topology = new Topology(Map.of(), deps);
    Set<String> entries = new HashSet<>();
    for (int s = 0; s < 10; s++) { // s8 and s9 are never services
      if (rng.nextInt(4) == 0) {
        entries.add("s" + s);
      }
    }
    RootCauseRanker ranker = new RootCauseRanker(RootCauseRanker.Settings.DEFAULTS.withThreshold(threshold));
    List<RootCandidate> without = ranker.rank(c.series(), c.onset(), topology, Set.of());
    List<RootCandidate> with = ranker.rank(c.series(), c.onset(), topology, Set.of(), entries);

    Set<String> anomalous = new HashSet<>();
    without.stream().filter(x -> x.score() >= threshold).forEach(x -> anomalous.add(x.service()));
    Set<String> linked = new HashSet<>();
    Set<String> frontier = new HashSet<>(entries);
    while (!frontier.isEmpty()) {
      Set<String> next = new HashSet<>();
      for (String f : frontier) {
        if (anomalous.contains(f)) {
          linked.add(f);
        }
        for (Topology.Dependency d : deps) {
          if (d.from().equals(f) && anomalous.contains(d.to()) && !linked.contains(d.to())) {
            next.add(d.to());
          }
        }
      }
      frontier = next;
    }
    Set<String> saturated = saturated(c, ranker);
    List<RootCandidate> starts = without.stream().filter(x -> anomalous.contains(x.service())
        && (saturated.contains(x.service())
        || anomalous.stream().noneMatch(y -> !y.equals(x.service()) && topology.reaches(x.service(), y)))).toList();
    assertThat(without.subList(0, starts.size())).as("the starts lead without entries").isEqualTo(starts);
    List<RootCandidate> expected = new ArrayList<>();
    starts.stream().filter(x -> linked.contains(x.service())).forEach(expected::add);
    starts.stream().filter(x -> !linked.contains(x.service())).forEach(expected::add);
    expected.addAll(without.subList(starts.size(), without.size()));
    assertThat(with.stream().map(RootCandidate::service).toList())
        .isEqualTo(expected.stream().map(RootCandidate::service).toList());
    for (int i = 0; i < with.size(); i++) {
      assertThat(with.get(i).score()).isEqualTo(expected.get(i).score());
    }
  }

  @Property(tries = 200)
  void aCallEdgeThatDoesNotSlowDownChangesNothing(@ForAll long seed) {
    Case c = randomCase(seed);
    List<RootCauseRanker.Series> withEdges = new ArrayList<>(c.series());
    Random rng = new Random(seed);
    for (RootCauseRanker.Series s : c.series()) {
      if (rng.nextInt(3) == 0) {
        double[] flat = new double[s.epochMillis().length];
        java.util.Arrays.fill(flat, 0.003);
        withEdges.add(new RootCauseRanker.Series(s.service(), MetricNames.CLIENT_LATENCY_P50, s.epochMillis(),
            flat, "s" + rng.nextInt(8)));
      }
    }
    RootCauseRanker ranker = new RootCauseRanker();
    assertThat(ranker.rank(withEdges, c.onset(), c.topology(), Set.of()))
        .isEqualTo(ranker.rank(c.series(), c.onset(), c.topology(), Set.of()));
  }
}
