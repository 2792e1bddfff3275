package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.IncidentType;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A fault to inject into a {@link SimulatedCluster}. Each fault knows the incident it should cause: its type and
 * the service at its root (null when any affected service is an acceptable root).
 *
 * <p>The built-in faults are the records nested here. Write your own by implementing this interface with the
 * cluster's public levers ({@link SimulatedCluster#injectCapacityLoss}, {@link SimulatedCluster#injectBadDeploy},
 * {@link SimulatedCluster#injectLeak}, {@link SimulatedCluster#injectCpuHog}, {@link SimulatedCluster#injectLogBurst},
 * {@link SimulatedCluster#injectCertificateExpiry}, {@link SimulatedCluster#injectContention},
 * {@link SimulatedCluster#injectNetworkDelay},
 * {@link SimulatedCluster#injectSurge}, {@link SimulatedCluster#injectFailure},
 * {@link SimulatedCluster#scaleExternally}):
 *
 * <pre>{@code
 * record NoisyNeighbour(String node) implements Fault {
 *   public String describe() { return "noisy neighbour on " + node; }
 *   public IncidentType expectedType() { return IncidentType.HIGH_LATENCY; }
 *   public String expectedRoot() { return "catalog"; }
 *   public void apply(SimulatedCluster c) { c.injectCapacityLoss("catalog", 0.5); c.injectCapacityLoss("ads", 0.7); }
 * }
 * }</pre>
 */
public interface Fault {

  /** Short description for timelines and reports. */
  String describe();

  /** The incident type this fault should produce. */
  IncidentType expectedType();

  /** The root service the agent should find, or null when any is fine. */
  @Nullable String expectedRoot();

  /** Applies the fault now. */
  void apply(SimulatedCluster cluster);

  /**
   * One pod of {@code service} leaks memory ({@code perMinute} of its limit per minute) until restarted.
   *
   * @param service the service
   * @param perMinute leak rate as a fraction of the memory limit per minute
   */
  record MemoryLeak(String service, double perMinute) implements Fault {
    public MemoryLeak {
      Objects.requireNonNull(service, "service");
      Require.withinOpen(perMinute, 0, 1, "perMinute");
    }

    @Override
    public String describe() {
      return String.format("memory leak in one %s pod (+%.1f%% of limit/min)", service, perMinute * 100);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.OOM_KILL;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectLeak(service, perMinute);
    }
  }

  /**
   * One pod of {@code service} (its first) burns {@code share} of its CPU limit on top of its requests' work — a
   * runaway thread, a hot loop — until it is restarted or replaced, with no change of traffic, latency or errors (see
   * {@link SimulatedCluster#injectCpuHog}). When the pod's usual level plus the share reaches its limit, the pod stays
   * pinned there and should open a {@code cpu-saturation} incident on {@code service} after the detector's five
   * minutes, which the agent escalates (a pod already near its limit rises too little to page).
   *
   * @param service the service
   * @param share the share of the CPU limit the loop burns, in (0, 1]
   */
  record CpuHog(String service, double share) implements Fault {
    public CpuHog {
      Objects.requireNonNull(service, "service");
      Require.withinOpenClosed(share, 0, 1, "share");
    }

    @Override
    public String describe() {
      return String.format("runaway CPU loop in one %s pod (+%.0f%% of its CPU limit)", service, share * 100);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.CPU_SATURATION;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectCpuHog(service, share);
    }
  }

  /**
   * Every call into {@code service} takes {@code delay} longer for {@code lasting} — a network delay at its pods or on
   * the path to them ({@link SimulatedCluster#injectNetworkDelay}): its callers slow down, its own latency does not.
   * Expects a {@code high-latency} incident rooted at {@code service}, which only a cluster that reports its call
   * edges can show ({@code SimulationHarness.Builder.setEmitCallEdges(true)}; without them the agent sees its
   * callers slow and roots there). No catalog action fits a network path: the agent escalates.
   */
  record NetworkDelay(String service, Duration delay, Duration lasting) implements Fault {
    public NetworkDelay {
      Objects.requireNonNull(service, "service");
      Require.positive(delay, "delay");
      Require.positive(lasting, "lasting");
    }

    @Override
    public String describe() {
      return String.format("network delay of %d ms into %s for %d min", delay.toMillis(), service,
          lasting.toMinutes());
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.HIGH_LATENCY;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectNetworkDelay(service, delay, lasting);
    }
  }

  /**
   * Every replica of {@code service} serves only {@code factor} of its normal capacity (CPU throttling, a noisy
   * neighbour) until enough replicas are added.
   */
  record CapacityLoss(String service, double factor) implements Fault {
    public CapacityLoss {
      Objects.requireNonNull(service, "service");
      Require.withinOpen(factor, 0, 1, "factor");
    }

    @Override
    public String describe() {
      return String.format("capacity loss on %s (replicas at %.0f%% capacity)", service, factor * 100);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.HIGH_LATENCY;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectCapacityLoss(service, factor);
    }
  }

  /** A new revision of {@code service} fails {@code errorRatio} of requests and adds latency. */
  record BadDeploy(String service, double errorRatio, Duration addedLatency) implements Fault {
    public BadDeploy {
      Objects.requireNonNull(service, "service");
      Require.withinOpenClosed(errorRatio, 0, 1, "errorRatio");
      Objects.requireNonNull(addedLatency, "addedLatency");
    }

    @Override
    public String describe() {
      return String.format("bad deploy of %s (%.0f%% errors)", service, errorRatio * 100);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.ERROR_RATE_SPIKE;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectBadDeploy(service, errorRatio, addedLatency);
    }
  }

  /** One log volume of {@code service} fills at {@code perMinute} for {@code duration}, rotation failing. */
  record LogBurst(String service, double perMinute, Duration duration) implements Fault {
    public LogBurst {
      Objects.requireNonNull(service, "service");
      Require.withinOpen(perMinute, 0, 1, "perMinute");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public String describe() {
      return String.format("log burst from %s (+%.1f%% of volume/min for %d min)", service, perMinute * 100,
          duration.toMinutes());
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.DISK_EXHAUSTION;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectLogBurst(service, perMinute, duration);
    }
  }

  /** The certificate of {@code service} now expires in {@code remaining} (its automated renewal failed). */
  record ExpiringCertificate(String service, Duration remaining) implements Fault {
    public ExpiringCertificate {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(remaining, "remaining");
    }

    @Override
    public String describe() {
      return "certificate of " + service + " expires in " + remaining.toDays() + " days (renewal failed)";
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.CERTIFICATE_EXPIRY;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectCertificateExpiry(service, remaining);
    }
  }

  /** External traffic multiplied by {@code multiplier}. */
  record TrafficSurge(double multiplier) implements Fault {
    public TrafficSurge {
      Require.greaterThan(multiplier, 1, "multiplier");
    }

    @Override
    public String describe() {
      return String.format("traffic surge x%.1f", multiplier);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.HIGH_LATENCY;
    }

    @Override
    public @Nullable String expectedRoot() {
      return null;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectSurge(multiplier);
    }
  }

  /**
   * The database connection pool of {@code service} is exhausted: its latency rises by a factor of
   * {@code 1 + contention} and grows with the square of added replicas, because every replica holds connections.
   * Scaling out, the usual remedy for latency, makes it worse: the agent must notice and roll its action back.
   */
  record ConnectionContention(String service, double contention) implements Fault {
    public ConnectionContention {
      Objects.requireNonNull(service, "service");
      Require.positive(contention, "contention");
    }

    @Override
    public String describe() {
      return String.format("connection-pool contention on %s (latency x%.1f, worse with more replicas)", service,
          1 + contention);
    }

    @Override
    public IncidentType expectedType() {
      return IncidentType.HIGH_LATENCY;
    }

    @Override
    public String expectedRoot() {
      return service;
    }

    @Override
    public void apply(SimulatedCluster c) {
      c.injectContention(service, contention);
    }
  }
}
