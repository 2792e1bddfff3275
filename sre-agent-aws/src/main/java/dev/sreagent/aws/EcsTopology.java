package dev.sreagent.aws;

import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.TopologyProvider;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;

/**
 * The topology port over ECS: the services of the allowed clusters, read every refresh interval (default 30 s; ECS
 * has no watch) on a thread of its own, so {@link #topology()} never calls AWS. A service is named by its ECS name, or
 * by a configured tag; its namespace is its cluster; replicas are its desired count; the scale-out ceiling is its
 * Application Auto Scaling maximum when it has a scalable target, else the configured one (default
 * {@value #DEFAULT_MAX_REPLICAS}); the disruption budget is {@code minimumHealthyPercent} of the desired count (rounded
 * up); revisions are task definitions ({@code family:revision}); pods are its running task IDs.
 *
 * <p>Revision health is what the topology saw: a task definition is healthy once it was seen as the primary
 * deployment with its rollout {@code COMPLETED} and its desired count running. ECS keeps no history of a service's
 * earlier deployments, so revisions before the topology started are unknown (never a rollback target) unless
 * {@link Builder#setHistoryBeforeStartHealthy(boolean)}, which counts the deployments seen at the first read with a
 * completed rollout as healthy. A failed refresh keeps the last good topology and is logged and counted ({@link #failedRefreshes()}).
 *
 * <p>IAM: {@code ecs:DescribeClusters}, {@code ecs:ListServices}, {@code ecs:DescribeServices},
 * {@code ecs:ListTasks}, and {@code application-autoscaling:DescribeScalableTargets} when auto scaling is given.
 */
public final class EcsTopology implements TopologyProvider, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EcsTopology.class);
  /** The scale-out ceiling of a service without a scalable target, unless configured. */
  public static final int DEFAULT_MAX_REPLICAS = 10;

  private final EcsServices services;
  private final @Nullable ScalableTargets scaling;
  private final int defaultMaxReplicas;
  private final Duration refreshInterval;
  private final boolean historyBeforeStartHealthy;
  private final Map<String, Map<String, Revision>> history = new ConcurrentHashMap<>();
  private final AtomicLong failures = new AtomicLong();
  private volatile Topology topology = Topology.empty();
  private volatile Map<String, Location> locations = Map.of();
  private volatile boolean firstRead = true;
  private @Nullable ScheduledExecutorService refresher;

  private EcsTopology(Builder b) {
    this.services = new EcsServices(b.ecs, b.clusters, b.serviceTag);
    this.scaling = b.scaling;
    this.defaultMaxReplicas = b.defaultMaxReplicas;
    this.refreshInterval = b.refreshInterval;
    this.historyBeforeStartHealthy = b.historyBeforeStartHealthy;
  }

  /** A builder over {@code ecs}; {@link Builder#setClusters} is required. */
  public static Builder builder(EcsClient ecs) {
    return new Builder(ecs);
  }

  /**
   * Checks that every cluster exists, reads the topology once (so the first {@link #topology()} is complete) and
   * starts refreshing it in the background.
   *
   * @throws IllegalStateException naming the clusters ECS does not know
   */
  public synchronized EcsTopology start() {
    DescribeClustersResponse r = services.client().describeClusters(b -> b.clusters(services.clusters()));
    List<String> missing = new ArrayList<>();
    r.failures().forEach(f -> missing.add(f.arn() + " (" + f.reason() + ")"));
    r.clusters().stream().filter(c -> !"ACTIVE".equals(c.status()))
        .forEach(c -> missing.add(c.clusterName() + " (" + c.status() + ")"));
    if (!missing.isEmpty()) {
      throw new IllegalStateException("ECS does not know these clusters, or they are not active: " + missing
          + "; check aws.ecs.clusters and the region");
    }
    refresh();
    if (refresher == null) {
      refresher = Executors.newSingleThreadScheduledExecutor(r2 -> {
        Thread t = new Thread(r2, "ecs-topology");
        t.setDaemon(true);
        return t;
      });
      long ms = refreshInterval.toMillis();
      refresher.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  @Override
  public Topology topology() {
    return topology;
  }

  /** Where a service of the agent lives in ECS: its cluster and ECS service name. */
  public record Location(String cluster, String ecsService) {}

  /**
   * Where each service of the last read lives, by the agent's name (which is the ECS service's name unless a service
   * tag names it): for telemetry keyed by ECS names, such as {@link CloudWatchMetrics#ecsService(String, String,
   * String)}.
   */
  public Map<String, Location> locations() {
    return locations;
  }

  /** Refreshes failed so far (each logged). */
  public long failedRefreshes() {
    return failures.get();
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.warn("ECS topology refresh failed (the last one read stays in use): {}", e.toString());
    }
  }

  /** Reads every service now (the background refresh does this every interval). */
  public synchronized void refresh() {
    Map<String, ServiceInfo> out = new LinkedHashMap<>();
    Map<String, Location> where = new LinkedHashMap<>();
    for (EcsServices.Found f : services.all()) {
      ServiceInfo info = info(f);
      if (info != null) {
        out.put(info.name(), info);
        where.put(info.name(), new Location(f.cluster(), f.service().serviceName()));
      }
    }
    firstRead = false;
    locations = Map.copyOf(where);
    topology = new Topology(out, Set.of());
  }

  private @Nullable ServiceInfo info(EcsServices.Found f) {
    String current = f.taskDefinition();
    if (current.isBlank()) {
      return null;
    }
    Map<String, Revision> revs = history.computeIfAbsent(f.cluster() + "/" + f.service().serviceName(),
        k -> new ConcurrentHashMap<>());
    int desired = f.service().desiredCount();
    for (Deployment d : f.service().deployments()) {
      String td = EcsServices.shortTaskDefinition(d.taskDefinition());
      Instant at = d.createdAt() == null ? Instant.EPOCH : d.createdAt();
      boolean healthyNow = "PRIMARY".equals(d.status()) && "COMPLETED".equals(d.rolloutStateAsString())
          && d.runningCount() != null && d.runningCount() >= Math.max(1, desired);
      Revision known = revs.get(td);
      boolean blessed = firstRead && historyBeforeStartHealthy && "COMPLETED".equals(d.rolloutStateAsString());
      boolean healthy = healthyNow || (known != null && known.healthy()) || blessed;
      revs.put(td, new Revision(td, known == null ? at : known.deployedAt(), healthy));
    }
    List<Revision> ordered = revs.values().stream().sorted(Comparator.comparing(Revision::deployedAt)
        .thenComparing(Revision::id)).toList();
    Optional<ScalableTargets.Target> target = scaling == null ? Optional.empty()
        : scaling.find(f.cluster(), f.service().serviceName());
    int max = target.map(ScalableTargets.Target::max).orElse(defaultMaxReplicas);
    Integer minHealthy = f.service().deploymentConfiguration() == null ? null
        : f.service().deploymentConfiguration().minimumHealthyPercent();
    int minAvailable = (int) Math.ceil(desired * (minHealthy == null ? 100 : minHealthy) / 100.0);
    List<String> tasks = services.taskIds(f.cluster(), f.service().serviceName());
    return new ServiceInfo(f.agentName(), f.cluster(), desired, Math.max(1, max), minAvailable, current, ordered,
        tasks);
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }

  /** Builds an {@link EcsTopology}. */
  public static final class Builder {
    private final EcsClient ecs;
    private List<String> clusters = List.of();
    private @Nullable String serviceTag;
    private @Nullable ScalableTargets scaling;
    private int defaultMaxReplicas = DEFAULT_MAX_REPLICAS;
    private Duration refreshInterval = Duration.ofSeconds(30);
    private boolean historyBeforeStartHealthy;

    private Builder(EcsClient ecs) {
      this.ecs = Objects.requireNonNull(ecs, "ecs");
    }

    /** The clusters to read (names); required, never empty. */
    public Builder setClusters(List<String> clusters) {
      if (clusters.isEmpty() || clusters.stream().anyMatch(c -> c == null || c.isBlank())) {
        throw new IllegalArgumentException("clusters must name at least one ECS cluster and no blank one, but was "
            + clusters);
      }
      this.clusters = List.copyOf(clusters);
      return this;
    }

    /** The tag whose value names a service for the agent; default none: the ECS service's name. */
    public Builder setServiceTag(@Nullable String tag) {
      this.serviceTag = tag == null || tag.isBlank() ? null : tag;
      return this;
    }

    /** Reads scale-out ceilings from Application Auto Scaling (see {@link EcsScaleExecutor.Builder#setAutoScaling}). */
    public Builder setAutoScaling(SdkHttpClient http, AwsCredentialsProvider credentials, Region region,
        @Nullable URI endpoint) {
      this.scaling = new ScalableTargets(http, credentials, region, endpoint);
      return this;
    }

    /** The scale-out ceiling of a service without a scalable target (default {@value #DEFAULT_MAX_REPLICAS}). */
    public Builder setDefaultMaxReplicas(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("defaultMaxReplicas must be at least 1, but was " + max);
      }
      this.defaultMaxReplicas = max;
      return this;
    }

    /** How often the services are read again (default 30 s). */
    public Builder setRefreshInterval(Duration interval) {
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("refreshInterval must be at least 1 s, but was " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Whether the deployments seen at the first read whose rollout had completed count as healthy (default false:
     * unknown); one whose rollout failed or is still in progress never does.
     */
    public Builder setHistoryBeforeStartHealthy(boolean healthy) {
      this.historyBeforeStartHealthy = healthy;
      return this;
    }

    /** Builds it; call {@link EcsTopology#start()} to read and refresh. */
    public EcsTopology build() {
      if (clusters.isEmpty()) {
        throw new IllegalStateException("setClusters(...) is required: the ECS clusters to read");
      }
      return new EcsTopology(this);
    }
  }
}
