package dev.sreagent.testkit.contract;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Lock latency as one agent sees it: one thread takes a target's lock and releases it, {@code rounds} times per trial,
 * after a warm-up; prints p50/p99 of tryAcquire and of release per trial and the median over the trials (the machines
 * are noisy). The lock adapters' bench ITs run it (their clients bring different Netty lines, so neither joins
 * sre-agent-bench's class path); a user's own adapter can too.
 */
public final class LockBench {
  private LockBench() {}

  /** Milliseconds at the 50th and 99th percentile of acquire and release. */
  public record Result(double acquireP50, double acquireP99, double releaseP50, double releaseP99) {}

  /** Runs {@code trials} trials of {@code rounds} acquire/release pairs on {@code locks}, printing to {@code out}. */
  public static Result run(String name, LockService locks, int rounds, int trials, PrintStream out) {
    Duration ttl = Duration.ofSeconds(30);
    measure(locks, "bench:warm-up", ttl, 200, new long[200], new long[200]);
    List<Result> all = new ArrayList<>();
    out.printf(Locale.ROOT, "%-6s %-6s %8s %12s %12s %12s %12s%n", "lock", "trial", "rounds", "acquire p50",
        "acquire p99", "release p50", "release p99");
    for (int t = 0; t < trials; t++) {
      long[] acquire = new long[rounds];
      long[] release = new long[rounds];
      measure(locks, "bench:target-" + t, ttl, rounds, acquire, release);
      Result r = new Result(pct(acquire, 50), pct(acquire, 99), pct(release, 50), pct(release, 99));
      all.add(r);
      out.printf(Locale.ROOT, "%-6s %-6d %8d %9.3f ms %9.3f ms %9.3f ms %9.3f ms%n", name, t + 1, rounds,
          r.acquireP50, r.acquireP99, r.releaseP50, r.releaseP99);
    }
    Result median = new Result(median(all, Result::acquireP50), median(all, Result::acquireP99),
        median(all, Result::releaseP50), median(all, Result::releaseP99));
    out.printf(Locale.ROOT, "%-6s %-6s %8d %9.3f ms %9.3f ms %9.3f ms %9.3f ms%n", name, "median", rounds,
        median.acquireP50, median.acquireP99, median.releaseP50, median.releaseP99);
    return median;
  }

  private static void measure(LockService locks, String target, Duration ttl, int rounds, long[] acquire,
      long[] release) {
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      Lock l = locks.tryAcquire(target, "bench-agent", ttl).orElseThrow(
          () -> new IllegalStateException(target + " is held by someone else: is another bench running?"));
      long t1 = System.nanoTime();
      locks.release(l);
      long t2 = System.nanoTime();
      acquire[i] = t1 - t0;
      release[i] = t2 - t1;
    }
  }

  private static double pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
  }

  private static double median(List<Result> all, java.util.function.ToDoubleFunction<Result> f) {
    double[] v = all.stream().mapToDouble(f).sorted().toArray();
    return v[v.length / 2];
  }
}
