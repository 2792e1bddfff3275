package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RootCauseRankerTest {
  static final long STEP = 60_000;
  static final Instant ONSET = Instant.ofEpochMilli(40 * STEP + 30_000);

  /** 45 one-minute samples: noise around {@code level}, then {@code after} from the onset's minute on. */
  static RootCauseRanker.Series series(String service, String signal, double level, double after) {
    long[] t = new long[45];
    double[] v = new double[45];
    for (int i = 0; i < t.length; i++) {
      t[i] = i * STEP;
      v[i] = i >= 40 ? after : level * (1 + 0.02 * ((i * 7) % 5 - 2));
    }
    return new RootCauseRanker.Series(service, signal, t, v);
  }

  static Topology calls(String... pairs) {
    List<Topology.Dependency> deps = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      deps.add(new Topology.Dependency(pairs[i], pairs[i + 1]));
    }
    return new Topology(Map.of(), Set.copyOf(deps));
  }

  static List<String> services(List<RootCandidate> ranked) {
    return ranked.stream().map(RootCandidate::service).toList();
  }

  @Test
  void theAnomalousCalleeComesBeforeItsLouderCaller() {
    List<RootCauseRanker.Series> s = List.of(
        series("frontend", MetricNames.LATENCY_P99, 0.2, 5.0),
        series("cart", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1));
    RootCauseRanker ranker = new RootCauseRanker();

    List<RootCandidate> withGraph = ranker.rank(s, ONSET, calls("frontend", "cart", "frontend", "ads"), Set.of());
    List<RootCandidate> alone = ranker.rank(s, ONSET, Topology.empty(), Set.of());

    assertThat(services(withGraph)).containsExactly("cart", "frontend", "ads");
    assertThat(services(alone)).containsExactly("frontend", "cart", "ads");
    assertThat(withGraph.get(0).signal()).isEqualTo(MetricNames.LATENCY_P99);
    assertThat(withGraph.get(0).score()).isGreaterThan(10);
    assertThat(withGraph.get(0).evidence()).contains("no anomalous callee");
    assertThat(withGraph.get(1).evidence()).contains("calls an anomalous service");
    assertThat(withGraph.get(2).score()).isLessThan(10);
  }

  @Test
  void aKnownSymptomDecidesWhichOtherSymptomsCountButASaturatedResourceAlwaysCounts() {
    List<RootCauseRanker.Series> s = List.of(
        series("db", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("api", MetricNames.ERROR_RATIO, 0.0, 0.3),
        series("api", MetricNames.LATENCY_P99, 0.2, 0.2));
    RootCauseRanker ranker = new RootCauseRanker();

    List<RootCandidate> errors = ranker.rank(s, ONSET, calls("api", "db"), Set.of(MetricNames.ERROR_RATIO));
    List<RootCandidate> any = ranker.rank(s, ONSET, calls("api", "db"), Set.of());

    assertThat(services(errors)).containsExactly("api", "db");
    assertThat(errors.get(1).score()).isZero();
    assertThat(errors.get(1).evidence()).contains("no " + MetricNames.ERROR_RATIO);
    assertThat(services(any)).containsExactly("db", "api");

    List<RootCauseRanker.Series> cpu = List.of(
        series("db", MetricNames.CPU_UTILIZATION, 0.2, 0.95),
        series("api", MetricNames.ERROR_RATIO, 0.0, 0.3));
    List<RootCandidate> saturated = ranker.rank(cpu, ONSET, calls("api", "db"), Set.of(MetricNames.ERROR_RATIO));
    assertThat(services(saturated)).containsExactly("db", "api");
    assertThat(saturated.get(0).signal()).isEqualTo(MetricNames.CPU_UTILIZATION);
  }

  /**
   * Train Ticket's case 27: ts-food-service's CPU is saturated (its latency 25 times its median) while a service it
   * reaches through ts-travel-service is a little slow too; the saturated caller is where it starts, not demoted for
   * calling an anomalous service. A caller merely slow stays demoted.
   */
  @Test
  void aServiceWhoseOwnCpuIsSaturatedIsAStartAlthoughItCallsAnAnomalousService() {
    List<RootCauseRanker.Series> s = List.of(
        series("food", MetricNames.CPU_UTILIZATION, 0.01, 1.0),
        series("food", MetricNames.LATENCY_P99, 0.1, 2.5),
        series("travel", MetricNames.LATENCY_P99, 0.1, 0.1),
        series("route", MetricNames.LATENCY_P99, 0.02, 0.5),
        series("ui", MetricNames.LATENCY_P99, 2.0, 9.0));
    Topology graph = calls("ui", "food", "food", "travel", "travel", "route");

    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, graph, Set.of());

    assertThat(services(ranked)).startsWith("food", "route", "ui");
    assertThat(ranked.get(0).evidence()).contains("its own CPU or memory saturated (a start although it calls an"
        + " anomalous service)");
    assertThat(ranked.get(0).faultClass()).isEqualTo(dev.sreagent.api.model.FaultClass.CPU_SATURATION);
    assertThat(ranked.get(2).evidence()).contains("calls an anomalous service");

    // without the saturation food is one more slow caller of route
    List<RootCauseRanker.Series> slowOnly = s.subList(1, s.size());
    assertThat(services(new RootCauseRanker().rank(slowOnly, ONSET, graph, Set.of()))).first().isEqualTo("route");
  }

  @Test
  void aSeriesWithoutBaselineOrWithoutSamplesAfterTheOnsetIsNotRanked() {
    long[] t = {40 * STEP, 41 * STEP, 42 * STEP};
    double[] v = {1, 9, 9};
    RootCauseRanker.Series young = new RootCauseRanker.Series("new", MetricNames.LATENCY_P99, t, v);
    RootCauseRanker.Series old = series("old", MetricNames.LATENCY_P99, 0.1, 0.1);
    long[] before = {0, STEP, 2 * STEP, 3 * STEP};
    RootCauseRanker.Series quiet = new RootCauseRanker.Series("quiet", MetricNames.LATENCY_P99, before,
        new double[] {1, 1, 1, 1});

    assertThat(services(new RootCauseRanker().rank(List.of(young, old, quiet), ONSET, Topology.empty(), Set.of())))
        .containsExactly("old");
  }

  @Test
  void aSparseSeriesSampleStandsForOneStepOfTheDataNotForTheGapToItsNextSample() {
    // a function invoked every 9 minutes in one-minute data: its last sample, 2.5 minutes before the onset, is high;
    // it stands for the minute it was taken in (the data's pace), so it is baseline, and there is nothing after it
    long[] t = {2 * STEP, 11 * STEP, 20 * STEP, 29 * STEP, 38 * STEP};
    RootCauseRanker.Series sparse = new RootCauseRanker.Series("lambda", MetricNames.LATENCY_P99, t,
        new double[] {1, 1.02, 0.98, 1, 3});
    List<RootCauseRanker.Series> s = List.of(sparse, series("cart", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1), series("web", MetricNames.LATENCY_P99, 0.2, 0.2));

    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, Topology.empty(), Set.of());

    assertThat(services(ranked).get(0)).isEqualTo("cart");
    assertThat(services(ranked)).doesNotContain("lambda");
    assertThat(RootCauseRanker.pace(s)).isEqualTo(STEP);
    // alone, the series is its own pace: its sample stands for the 9 minutes up to the next and reaches the onset
    List<RootCandidate> alone = new RootCauseRanker().rank(List.of(sparse), ONSET, Topology.empty(), Set.of());
    assertThat(services(alone)).containsExactly("lambda");
    assertThat(alone.get(0).score()).isGreaterThan(10);
  }

  @Test
  void signalsOutsideTheSettingsAreIgnoredAndARateCountsBothWays() {
    RootCauseRanker.Series disk = series("a", "system.filesystem.utilization", 0.1, 0.9);
    RootCauseRanker.Series rate = series("b", MetricNames.REQUEST_RATE, 100, 0);
    RootCauseRanker ranker = new RootCauseRanker(RootCauseRanker.Settings.DEFAULTS.withThreshold(3));
    RootCauseRanker withRate = new RootCauseRanker(new RootCauseRanker.Settings(30, 3, 3, 0,
        Set.of(MetricNames.REQUEST_RATE)));

    assertThat(ranker.rank(List.of(disk, rate), ONSET, Topology.empty(), Set.of())).isEmpty();
    List<RootCandidate> r = withRate.rank(List.of(disk, rate), ONSET, Topology.empty(), Set.of());
    assertThat(services(r)).containsExactly("b");
    assertThat(r.get(0).score()).isGreaterThan(3);
  }

  @Test
  void theUnitFloorKeepsAFlatSeriesFromShoutingAtATinyChange() {
    // error ratio flat at 0, then 0.05 %: half a unit floor (a tenth of a point), not an infinite z
    RootCauseRanker.Series s = series("a", MetricNames.ERROR_RATIO, 0, 0.0005);
    RootCandidate c = new RootCauseRanker().rank(List.of(s), ONSET, Topology.empty(), Set.of()).get(0);
    assertThat(c.score()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    // utilisation keeps one point: 0.5 % more CPU is half a floor
    RootCauseRanker.Series cpu = series("a", MetricNames.CPU_UTILIZATION, 0.2, 0.205);
    assertThat(new RootCauseRanker().rank(List.of(cpu), ONSET, Topology.empty(), Set.of()).get(0).score())
        .isLessThan(1);
  }

  /** 45 one-minute error ratios of {@code calls} calls a sample, {@code failed.applyAsInt(i)} of them failing. */
  static RootCauseRanker.Series failures(String service, int calls, java.util.function.IntUnaryOperator failed) {
    long[] t = new long[45];
    double[] v = new double[45];
    for (int i = 0; i < t.length; i++) {
      t[i] = i * STEP;
      v[i] = failed.applyAsInt(i) / (double) calls;
    }
    return new RootCauseRanker.Series(service, MetricNames.ERROR_RATIO, t, v);
  }

  @Test
  void aFourCallFunctionWhoseErrorRatioJumpsBetweenZeroAndOneNeitherLeadsNorDemotesItsCaller() {
    // PetShop's fault-free shape: 4 calls a sample, all failing one sample in three, before and after the onset
    RootCauseRanker.Series flaky = failures("fn", 4, i -> i % 3 == 0 ? 4 : 0);
    RootCauseRanker.Series api = failures("api", 1000, i -> i >= 40 ? 300 : 0);

    List<RootCandidate> r = new RootCauseRanker().rank(List.of(flaky, api), ONSET, calls("api", "fn"),
        Set.of(MetricNames.ERROR_RATIO), Set.of("api"));

    assertThat(services(r)).containsExactly("api", "fn");
    assertThat(r.get(0).evidence()).endsWith("anomalous, no anomalous callee");
    assertThat(r.get(1).score()).isLessThan(2);
  }

  @Test
  void aConstantTinyErrorRateWithCountingNoiseStaysBelowTheThreshold() {
    // 0.05 % of 10,000 calls a sample (no spread to speak of), then 12 failures in the window: noise, not a fault
    RootCauseRanker.Series steady = failures("db", 10_000, i -> i >= 40 ? 12 : i % 10 == 0 ? 4 : 5);
    RootCauseRanker.Series pay = failures("pay", 1000, i -> i >= 40 ? 50 : 0);

    List<RootCandidate> r = new RootCauseRanker().rank(List.of(steady, pay), ONSET, calls("pay", "db"),
        Set.of(MetricNames.ERROR_RATIO));

    assertThat(services(r)).containsExactly("pay", "db");
    assertThat(r.get(1).score()).isLessThan(RootCauseRanker.Settings.DEFAULTS.threshold() / 2);
  }

  @Test
  void aServiceThatNeverFailedAndNowFailsThreePercentIsAnomalousNotHiddenByItsCallersLouderView() {
    // PetShop's shape: the service fails 3 % of its calls; the load balancer in front of it, seen from the
    // caller, 15 %; with the load balancer in the call graph the service is where the failure starts
    List<RootCauseRanker.Series> s = List.of(
        series("search", MetricNames.ERROR_RATIO, 0, 0.03),
        series("search-lb", MetricNames.ERROR_RATIO, 0, 0.15),
        series("site", MetricNames.ERROR_RATIO, 0, 0.02));
    Topology graph = calls("site", "search-lb", "site", "search", "search-lb", "search");

    List<RootCandidate> r = new RootCauseRanker().rank(s, ONSET, graph, Set.of(MetricNames.ERROR_RATIO));

    assertThat(services(r)).containsExactly("search", "search-lb", "site");
    assertThat(r.get(0).score()).isGreaterThanOrEqualTo(10);
    assertThat(r.get(0).evidence()).contains("no anomalous callee");
  }

  @Test
  void withTheSymptomsServiceKnownAStartLinkedToItComesBeforeALouderStartNothingLinks() {
    // site (the SLO's target) is slow because pay is; a batch lambda nobody on site's path calls is slower
    List<RootCauseRanker.Series> s = List.of(
        series("site", MetricNames.LATENCY_P99, 0.1, 0.8),
        series("pay", MetricNames.LATENCY_P99, 0.1, 0.6),
        series("batch", MetricNames.LATENCY_P99, 0.1, 3.0),
        series("db", MetricNames.LATENCY_P99, 0.1, 0.1));
    Topology graph = calls("site", "pay", "pay", "db", "cron", "batch");
    RootCauseRanker ranker = new RootCauseRanker();

    List<RootCandidate> linked = ranker.rank(s, ONSET, graph, Set.of(MetricNames.LATENCY_P99), Set.of("site"));
    List<RootCandidate> unknown = ranker.rank(s, ONSET, graph, Set.of(MetricNames.LATENCY_P99), Set.of());

    assertThat(services(linked)).containsExactly("pay", "batch", "site", "db");
    assertThat(linked.get(1).evidence()).contains("not reached from the symptom's service");
    assertThat(services(unknown)).containsExactly("batch", "pay", "site", "db");
    assertThat(ranker.rank(s, ONSET, graph, Set.of(MetricNames.LATENCY_P99), Set.of()))
        .isEqualTo(ranker.rank(s, ONSET, graph, Set.of(MetricNames.LATENCY_P99)));
    // the entry itself, anomalous with no anomalous callee, is a linked start
    List<RootCandidate> alone = ranker.rank(List.of(s.get(0), s.get(2)), ONSET, graph,
        Set.of(MetricNames.LATENCY_P99), Set.of("site"));
    assertThat(services(alone)).containsExactly("site", "batch");
  }

  @Test
  void badInputIsRefusedWithTheFieldAndTheFix() {
    assertThatThrownBy(() -> new RootCauseRanker.Settings(2, 3, 10, 0, Set.of("x")))
        .hasMessageContaining("baselinePoints").hasMessageContaining("2");
    assertThatThrownBy(() -> new RootCauseRanker.Settings(30, 3, 10, 0, Set.of()))
        .hasMessageContaining("signals");
    assertThatThrownBy(() -> new RootCauseRanker.Settings(30, 3, 10, 1.5, Set.of("x")))
        .hasMessageContaining("relativeFloor");
    assertThatThrownBy(() -> new RootCauseRanker.Series("a", "s", new long[] {2, 1}, new double[] {1, 1}))
        .hasMessageContaining("strictly increasing").hasMessageContaining("sort");
    assertThatThrownBy(() -> new RootCauseRanker.Series("a", "s", new long[] {1}, new double[] {1, 2}))
        .hasMessageContaining("one value per time");
    assertThatThrownBy(() -> new RootCandidate("a", "s", -1, "")).hasMessageContaining("score");
  }

  @Test
  void theCorrelatorsRootLeadsWhereTheRankingAgreesOrCannotTellAndTheEvidenceLeadsOtherwise() {
    List<RootCauseRanker.Series> s = List.of(
        series("frontend", MetricNames.LATENCY_P99, 0.2, 5.0),
        series("cart", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1));
    Topology graph = calls("frontend", "cart", "frontend", "ads");
    RootCauseRanker ranker = new RootCauseRanker();

    // the ranking agrees: cart is anomalous with no anomalous callee
    assertThat(services(ranker.rankFor("cart", MetricNames.LATENCY_P99, s, ONSET, graph, Set.of())))
        .containsExactly("cart", "frontend", "ads");
    // ads is quiet: the evidence's order stands and ads stays in the list
    assertThat(services(ranker.rankFor("ads", MetricNames.LATENCY_P99, s, ONSET, graph, Set.of())))
        .containsExactly("cart", "frontend", "ads");
    // no series of the root: it leads, scored 0, and says why
    List<RootCandidate> unknown = ranker.rankFor("payment", MetricNames.ERROR_RATIO, s, ONSET, graph, Set.of());
    assertThat(services(unknown)).containsExactly("payment", "cart", "frontend", "ads");
    assertThat(unknown.get(0).score()).isZero();
    assertThat(unknown.get(0).signal()).isEqualTo(MetricNames.ERROR_RATIO);
    assertThat(unknown.get(0).evidence()).contains("no series");
  }

  static RootCauseRanker.Series edge(String caller, String callee, double level, double after) {
    RootCauseRanker.Series s = series(caller, MetricNames.CLIENT_LATENCY_P50, level, after);
    return new RootCauseRanker.Series(caller, s.signal(), s.epochMillis(), s.values(), callee);
  }

  @Test
  void aSlowCallEdgeWhoseCalleeServesAsFastAsEverPointsAtTheCallee() {
    // a network delay at cart's pod: frontend waits (its server latency and its edge to cart jump), cart's own
    // server latency does not move
    List<RootCauseRanker.Series> s = List.of(
        series("frontend", MetricNames.LATENCY_P99, 0.2, 1.5),
        series("cart", MetricNames.LATENCY_P99, 0.1, 0.1),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1),
        edge("frontend", "cart", 0.005, 0.25),
        edge("frontend", "ads", 0.005, 0.005));
    Topology graph = calls("frontend", "cart", "frontend", "ads");

    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, graph, Set.of());
    List<RootCandidate> without = new RootCauseRanker(RootCauseRanker.Settings.DEFAULTS
        .withEdges(RootCauseRanker.Edges.NONE)).rank(s, ONSET, graph, Set.of());

    assertThat(services(ranked)).containsExactly("cart", "frontend", "ads");
    assertThat(ranked.get(0).signal()).isEqualTo(MetricNames.CLIENT_LATENCY_P50);
    assertThat(ranked.get(0).score()).isGreaterThan(10);
    assertThat(ranked.get(0).evidence()).contains("from frontend").contains("did not move")
        .contains("no anomalous callee");
    assertThat(services(without)).containsExactly("frontend", "ads", "cart");
    // the caller's client latency is never its own score
    assertThat(ranked.get(1).signal()).isEqualTo(MetricNames.LATENCY_P99);
  }

  @Test
  void aSlowCallEdgeWhoseCalleeIsSlowItselfLeavesTheCalleeItsOwnScore() {
    List<RootCauseRanker.Series> s = List.of(
        series("frontend", MetricNames.LATENCY_P99, 0.2, 1.5),
        series("cart", MetricNames.LATENCY_P99, 0.1, 0.5),
        edge("frontend", "cart", 0.005, 5.0));

    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, calls("frontend", "cart"), Set.of());

    assertThat(services(ranked)).containsExactly("cart", "frontend");
    assertThat(ranked.get(0).signal()).isEqualTo(MetricNames.LATENCY_P99);
    assertThat(ranked.get(0).score()).isLessThan(100);
  }

  @Test
  void aSlowCallEdgeCountsForASlowIncidentNotForAFailingOne() {
    List<RootCauseRanker.Series> s = List.of(
        series("frontend", MetricNames.LATENCY_P99, 0.2, 1.5),
        series("frontend", MetricNames.ERROR_RATIO, 0.0, 0.5),
        series("cart", MetricNames.LATENCY_P99, 0.1, 0.1),
        edge("frontend", "cart", 0.005, 0.25));
    Topology graph = calls("frontend", "cart");
    RootCauseRanker ranker = new RootCauseRanker();

    assertThat(services(ranker.rank(s, ONSET, graph, Set.of(MetricNames.LATENCY_P99))))
        .containsExactly("cart", "frontend");
    assertThat(services(ranker.rank(s, ONSET, graph, Set.of(MetricNames.ERROR_RATIO))))
        .containsExactly("frontend", "cart");
  }

  @Test
  void aCallersLatencyToAllItsCalleesIsSharedByTheQuietCalleesOnlyWhenAsked() {
    RootCauseRanker.Series pod = series("frontend", MetricNames.CLIENT_LATENCY_P99, 0.005, 0.505);
    List<RootCauseRanker.Series> s = List.of(pod,
        series("cart", MetricNames.LATENCY_P99, 0.1, 0.1),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1));
    Topology graph = calls("frontend", "cart", "frontend", "ads");

    List<RootCandidate> peered = new RootCauseRanker().rank(s, ONSET, graph, Set.of());
    List<RootCandidate> pods = new RootCauseRanker(RootCauseRanker.Settings.DEFAULTS
        .withEdges(RootCauseRanker.Edges.PEERED_AND_POD)).rank(s, ONSET, graph, Set.of());

    assertThat(peered).allSatisfy(r -> assertThat(r.score()).isLessThan(10));
    assertThat(services(pods)).containsExactly("ads", "cart");
    // z 50 shared by two callees
    assertThat(pods.get(0).score()).isCloseTo(25, org.assertj.core.data.Offset.offset(1.0));
    assertThat(pods.get(1).score()).isEqualTo(pods.get(0).score());
  }

  @Test
  void eachCandidateNamesTheFaultClassItsSignalsPointAt() {
    List<RootCauseRanker.Series> s = List.of(
        series("db", MetricNames.CPU_UTILIZATION, 0.2, 0.95),
        series("db", MetricNames.LATENCY_P99, 0.1, 2.0),
        series("cache", MetricNames.MEMORY_UTILIZATION, 0.3, 0.9),
        series("api", MetricNames.ERROR_RATIO, 0.0, 0.4),
        series("api", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("web", MetricNames.REQUEST_RATE, 100, 400),
        series("web", MetricNames.ERROR_RATIO, 0.0, 0.3),
        series("auth", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("quiet", MetricNames.LATENCY_P99, 0.1, 0.1),
        series("shop", MetricNames.LATENCY_P99, 0.1, 0.1),
        edge("web", "shop", 0.005, 0.3));
    RootCauseRanker ranker = new RootCauseRanker();
    java.util.function.Function<Set<String>, Map<String, dev.sreagent.api.model.FaultClass>> classes = symptoms ->
        ranker.rank(s, ONSET, Topology.empty(), symptoms).stream().collect(java.util.stream.Collectors.toMap(
            RootCandidate::service, RootCandidate::faultClass));

    Map<String, dev.sreagent.api.model.FaultClass> any = classes.apply(Set.of());
    assertThat(any).containsEntry("db", dev.sreagent.api.model.FaultClass.CPU_SATURATION)
        .containsEntry("cache", dev.sreagent.api.model.FaultClass.MEMORY)
        .containsEntry("api", dev.sreagent.api.model.FaultClass.CODE_ERROR)
        .containsEntry("web", dev.sreagent.api.model.FaultClass.OVERLOAD)
        .containsEntry("auth", dev.sreagent.api.model.FaultClass.LATENCY)
        .containsEntry("quiet", dev.sreagent.api.model.FaultClass.UNKNOWN)
        .containsEntry("shop", dev.sreagent.api.model.FaultClass.NETWORK_DELAY);
    // a slow incident: api's errors do not name its class; its own slowness does
    assertThat(classes.apply(Set.of(MetricNames.LATENCY_P99)))
        .containsEntry("api", dev.sreagent.api.model.FaultClass.LATENCY);
    // traffic names a class, not a score unless the settings name it: a service with only traffic is not ranked
    assertThat(ranker.rank(List.of(series("lb", MetricNames.REQUEST_RATE, 100, 1000)), ONSET, Topology.empty(),
        Set.of())).isEmpty();
    // a traffic drop is not an overload
    assertThat(ranker.rank(List.of(series("web", MetricNames.REQUEST_RATE, 100, 5),
        series("web", MetricNames.LATENCY_P99, 0.1, 0.1)), ONSET, Topology.empty(), Set.of()).get(0).faultClass())
        .isEqualTo(dev.sreagent.api.model.FaultClass.UNKNOWN);
  }
}
