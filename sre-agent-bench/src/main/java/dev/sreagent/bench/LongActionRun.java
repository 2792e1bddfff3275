package dev.sreagent.bench;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.lock.InMemoryLockService;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulatedExecutor;
import dev.sreagent.testkit.SimulatedOnCall;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.SlowExecutor;
import dev.sreagent.testkit.VirtualClock;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Actions off the loop's thread (issue #13), measured: in the simulated shop, payments' certificate renewal takes
 * {@code minutes} of simulated time (a rolling restart waiting for readiness would, too); the moment it starts,
 * ads' certificate begins to expire. Run once with the action on the agent's pool and once on the loop's thread
 * (where, while it runs, the world moves on and the agent does not tick). Prints, per mode, when ads' incident was
 * opened, remediated and resolved (simulated minutes after its fault, medians over the seeds) and the wall time of
 * the loop's ticks with an action in flight and without (p50, p99, max, µs).
 * {@code java -jar sre-agent-bench.jar long-action [--seeds 5] [--minutes 10]}.
 */
final class LongActionRun {
  private static final Duration STEP = Duration.ofSeconds(15);

  private LongActionRun() {}

  /** What one run saw: minutes from ads' fault to each event (NaN when it never came), tick wall times in ns. */
  private record Outcome(double opened, double remediated, double resolved, List<Long> busyTicks,
      List<Long> idleTicks) {}

  static int run(int seeds, int minutes, PrintStream out) {
    Duration takes = Duration.ofMinutes(minutes);
    out.printf(Locale.ROOT, "long-action: payments' renewal takes %d simulated minutes; ads' certificate starts to"
        + " expire when it starts; seeds 1..%d%n", minutes, seeds);
    out.printf(Locale.ROOT, "%-26s %11s %14s %12s   %s%n", "actions run", "ads opened", "ads remediated",
        "ads resolved", "tick wall time with an action in flight | without (p50 / p99 / max, us)");
    int failures = 0;
    for (int threads : new int[] {4, 0}) {
      simulate(0, threads, takes); // warm-up, not counted
      List<Outcome> runs = new ArrayList<>();
      for (long seed = 1; seed <= seeds; seed++) {
        runs.add(simulate(seed, threads, takes));
      }
      List<Long> busy = new ArrayList<>();
      List<Long> idle = new ArrayList<>();
      runs.forEach(r -> {
        busy.addAll(r.busyTicks());
        idle.addAll(r.idleTicks());
      });
      out.printf(Locale.ROOT, "%-26s %9.2f m %12.2f m %10.2f m   %s | %s%n",
          threads == 0 ? "on the loop's thread" : "on the pool (" + threads + " threads)",
          median(runs.stream().map(Outcome::opened).toList()), median(runs.stream().map(Outcome::remediated).toList()),
          median(runs.stream().map(Outcome::resolved).toList()), percentiles(busy), percentiles(idle));
      for (int i = 0; i < runs.size(); i++) {
        Outcome r = runs.get(i);
        if (threads > 0 && !(r.resolved() < minutes)) {
          failures++;
          out.printf(Locale.ROOT, "long-action: seed %d: on the pool, ads' incident was not resolved while payments'"
              + " action ran (opened %.2f m, remediated %.2f m, resolved %.2f m after its fault)%n", i + 1, r.opened(),
              r.remediated(), r.resolved());
        }
      }
    }
    out.println("long-action: on the loop's thread the tick that runs the action lasts the whole action (here the"
        + " simulated minutes pass inside it, so its wall time is not comparable); ads waits for it.");
    return failures == 0 ? 0 : 1;
  }

  private static Outcome simulate(long seed, int threads, Duration takes) {
    VirtualClock clock = new VirtualClock();
    SimulatedCluster cluster = SimulatedCluster.builder().setSeed(seed).setClock(clock).build();
    Map<IncidentEvent.Kind, Instant> adsEvents = new ConcurrentHashMap<>();
    Instant[] adsFault = new Instant[1];
    ActionExecutor executor = new LongRenewal(cluster, takes, threads == 0, adsFault);
    List<Long> busy = new ArrayList<>();
    List<Long> idle = new ArrayList<>();
    try (SreAgent agent = SreAgent.builder().setClock(clock).addTelemetrySource(cluster).setTopologyProvider(cluster)
        .addExecutor(executor, ExecutorPolicy.defaults())
        .setApprovalChannel(SimulatedOnCall.approvingAfter(clock, Duration.ofMinutes(3)))
        .setLockService(new InMemoryLockService(clock)).setDefaultPhase(Phase.AUTONOMOUS).setActionThreads(threads)
        .setDiscovery(false)
        .addNotifier(e -> {
          if ("ads".equals(e.incident().rootService())) {
            adsEvents.putIfAbsent(e.kind(), e.at());
          }
        }).build()) {
      agent.start();
      Instant end = clock.now().plus(Duration.ofMinutes(30));
      while (clock.now().isBefore(end)) {
        cluster.advance(STEP);
        agent.tick();
      }
      cluster.injectCertificateExpiry("payments", Duration.ofDays(10));
      end = clock.now().plus(takes.multipliedBy(3));
      while (clock.now().isBefore(end)) {
        cluster.advance(STEP);
        SimulationHarness.settle(agent, clock, Duration.ofSeconds(10));
        boolean inFlight = agent.stats().actionsRunning() > 0;
        long t0 = System.nanoTime();
        agent.tick();
        (inFlight ? busy : idle).add(System.nanoTime() - t0);
        SimulationHarness.settle(agent, clock, Duration.ofSeconds(10));
      }
    }
    Instant fault = adsFault[0];
    return new Outcome(minutesAfter(fault, adsEvents.get(IncidentEvent.Kind.OPENED)),
        minutesAfter(fault, adsEvents.get(IncidentEvent.Kind.ACTION_EXECUTED)),
        minutesAfter(fault, adsEvents.get(IncidentEvent.Kind.RESOLVED)), busy, idle);
  }

  private static double minutesAfter(Instant from, Instant to) {
    return from == null || to == null ? Double.NaN : Duration.between(from, to).toMillis() / 60_000.0;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s); // NaN sorts last
    return s.isEmpty() ? Double.NaN : s.get((s.size() - 1) / 2);
  }

  private static String percentiles(List<Long> ns) {
    if (ns.isEmpty()) {
      return "-";
    }
    List<Long> s = new ArrayList<>(ns);
    Collections.sort(s);
    return String.format(Locale.ROOT, "%d / %d / %d (n=%d)", s.get(s.size() / 2) / 1000,
        s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1)) / 1000, s.get(s.size() - 1) / 1000,
        s.size());
  }

  /**
   * Payments' renewal takes {@code takes} of simulated time; every other action lands at once. Its first call sets
   * ads' certificate expiring. On the pool it waits on the clock ({@link SlowExecutor}); on the loop's thread the world
   * moves on while it runs (the cluster is advanced inside the call: the agent cannot tick meanwhile).
   */
  private static final class LongRenewal implements ActionExecutor {
    private final SimulatedCluster cluster;
    private final SimulatedExecutor real;
    private final ActionExecutor slow;
    private final Duration takes;
    private final boolean onTheLoop;
    private final Instant[] adsFault;

    LongRenewal(SimulatedCluster cluster, Duration takes, boolean onTheLoop, Instant[] adsFault) {
      this.cluster = cluster;
      this.real = cluster.executor();
      this.takes = takes;
      this.onTheLoop = onTheLoop;
      this.adsFault = adsFault;
      this.slow = new SlowExecutor(real, cluster.clock(), a -> isLong(a) ? takes : Duration.ZERO);
    }

    private static boolean isLong(Action a) {
      return a.service().equals("payments");
    }

    @Override
    public String name() {
      return "long-renewal";
    }

    @Override
    public boolean supports(Action action) {
      return real.supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext ctx) {
      if (isLong(action) && adsFault[0] == null) {
        adsFault[0] = cluster.clock().now();
        cluster.injectCertificateExpiry("ads", Duration.ofDays(8));
      }
      if (!onTheLoop) {
        return slow.execute(action, ctx);
      }
      if (isLong(action)) {
        for (Duration d = Duration.ZERO; d.compareTo(takes) < 0; d = d.plus(STEP)) {
          cluster.advance(STEP);
        }
      }
      return real.execute(action, ctx);
    }

    @Override
    public Optional<ActionResult> reconcile(String idempotencyKey) {
      return real.reconcile(idempotencyKey);
    }
  }
}
