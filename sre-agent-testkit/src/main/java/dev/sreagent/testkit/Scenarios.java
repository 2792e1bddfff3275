package dev.sreagent.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The built-in scenarios on the default shop: the five incident types, a surge, a cascade, a remediation that makes
 * things worse (the agent must roll it back), and a no-fault run.
 */
public final class Scenarios {
  /** Warm-up before the fault: long enough for every baseline to settle. */
  public static final Duration WARM_UP = Duration.ofMinutes(40);
  /** Total simulated time of each built-in scenario. */
  public static final Duration DURATION = Duration.ofMinutes(160);

  private Scenarios() {}

  /** Every built-in scenario, in a stable order. */
  public static List<Scenario> builtIn() {
    return List.of(
        new Scenario("oom-kill", "one cart pod leaks memory until it nears its limit",
            new Fault.MemoryLeak("cart", 0.012), WARM_UP, DURATION),
        new Scenario("high-latency", "frontend replicas lose 45% of their capacity (CPU throttling)",
            new Fault.CapacityLoss("frontend", 0.55), WARM_UP, DURATION),
        new Scenario("error-rate-spike", "a bad cart deploy fails 15% of requests",
            new Fault.BadDeploy("cart", 0.15, Duration.ZERO), WARM_UP, DURATION),
        new Scenario("disk-exhaustion", "shipping's log volume fills while rotation fails",
            new Fault.LogBurst("shipping", 0.006, Duration.ofMinutes(90)), WARM_UP, DURATION),
        new Scenario("certificate-expiry", "payments' mTLS certificate renewal failed; 10 days left",
            new Fault.ExpiringCertificate("payments", Duration.ofDays(10)), WARM_UP, DURATION),
        new Scenario("traffic-surge", "external traffic jumps x1.6 (a campaign)",
            new Fault.TrafficSurge(1.6), WARM_UP, DURATION),
        new Scenario("cascading-failure", "a bad payments deploy fails 35% of calls; checkout and frontend follow",
            new Fault.BadDeploy("payments", 0.35, Duration.ofMillis(200)), WARM_UP, DURATION),
        new Scenario("bad-remediation", "checkout's connection pool is exhausted; scaling out makes it worse",
            new Fault.ConnectionContention("checkout", 4.0), WARM_UP, DURATION),
        new Scenario("no-fault", "a normal day: daily traffic cycle and noise, nothing injected", null, WARM_UP,
            DURATION));
  }

  /** The built-in scenario named {@code name}. */
  public static Optional<Scenario> named(String name) {
    return builtIn().stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
