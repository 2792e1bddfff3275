package dev.sreagent.aws;

import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * One entry point to the agent's hands on ECS: the topology ({@link EcsTopology}) and the executors (restart, scale,
 * rollback) over the same clusters, service naming, clock and Application Auto Scaling access.
 *
 * <pre>{@code
 * EcsClient ecs = EcsClient.builder().region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create()).build();
 * EcsAdapter aws = EcsAdapter.builder(ecs).setClusters(List.of("shop"))
 *     .setAutoScaling(UrlConnectionHttpClient.create(), DefaultCredentialsProvider.create(), Region.EU_WEST_1, null)
 *     .start();
 * SreAgentBuilder agent = SreAgent.builder().setTopologyProvider(aws.topology());
 * aws.executors().forEach(agent::addExecutor);
 * }</pre>
 */
public final class EcsAdapter implements AutoCloseable {
  /** The executors by name, as {@code aws.ecs.executors} lists them. */
  public static final List<String> EXECUTORS = List.of("restart", "scale", "rollback");

  private final EcsTopology topology;
  private final List<ActionExecutor> executors;

  private EcsAdapter(EcsTopology topology, List<ActionExecutor> executors) {
    this.topology = topology;
    this.executors = List.copyOf(executors);
  }

  /** A builder over {@code ecs}. */
  public static Builder builder(EcsClient ecs) {
    return new Builder(ecs);
  }

  /** The topology port, refreshed in the background. */
  public EcsTopology topology() {
    return topology;
  }

  /** The enabled executors (none when the adapter only observes). */
  public List<ActionExecutor> executors() {
    return executors;
  }

  @Override
  public void close() {
    topology.close();
  }

  /** Builds an {@link EcsAdapter}. */
  public static final class Builder {
    private final EcsClient ecs;
    private List<String> clusters = List.of();
    private Set<String> enabled = Set.copyOf(EXECUTORS);
    private @Nullable String serviceTag;
    private Clock clock = Clock.system();
    private @Nullable SdkHttpClient http;
    private @Nullable AwsCredentialsProvider credentials;
    private @Nullable Region region;
    private @Nullable URI scalingEndpoint;
    private boolean scalingDecided;
    private int defaultMaxReplicas = EcsTopology.DEFAULT_MAX_REPLICAS;
    private Duration refreshInterval = Duration.ofSeconds(30);
    private Duration rolloutTimeout = EcsExecutor.DEFAULT_ROLLOUT_TIMEOUT;
    private Duration pollInterval = Duration.ofSeconds(5);
    private boolean historyBeforeStartHealthy;

    private Builder(EcsClient ecs) {
      this.ecs = Objects.requireNonNull(ecs, "ecs");
    }

    /** The clusters (names) to read and act in; required. */
    public Builder setClusters(List<String> clusters) {
      this.clusters = List.copyOf(clusters);
      return this;
    }

    /** The executors to enable, among {@link #EXECUTORS} (default all; empty: observe only). */
    public Builder setExecutors(Set<String> names) {
      List<String> unknown = names.stream().map(n -> n.toLowerCase(Locale.ROOT))
          .filter(n -> !EXECUTORS.contains(n)).toList();
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown ECS executors " + unknown + "; known: " + EXECUTORS);
      }
      this.enabled = Set.copyOf(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
      return this;
    }

    /** See {@link EcsExecutor.Builder#setServiceTag}. */
    public Builder setServiceTag(@Nullable String tag) {
      this.serviceTag = tag;
      return this;
    }

    /** The clock the executors wait on. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** See {@link EcsScaleExecutor.Builder#setAutoScaling}. */
    public Builder setAutoScaling(SdkHttpClient http, AwsCredentialsProvider credentials, Region region,
        @Nullable URI endpoint) {
      this.http = Objects.requireNonNull(http, "http");
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      this.region = Objects.requireNonNull(region, "region");
      this.scalingEndpoint = endpoint;
      this.scalingDecided = true;
      return this;
    }

    /** See {@link EcsScaleExecutor.Builder#setNoAutoScaling}. */
    public Builder setNoAutoScaling() {
      this.http = null;
      this.scalingDecided = true;
      return this;
    }

    /** See {@link EcsTopology.Builder#setDefaultMaxReplicas}. */
    public Builder setDefaultMaxReplicas(int max) {
      this.defaultMaxReplicas = max;
      return this;
    }

    /** See {@link EcsTopology.Builder#setRefreshInterval}. */
    public Builder setRefreshInterval(Duration interval) {
      this.refreshInterval = interval;
      return this;
    }

    /** See {@link EcsExecutor.Builder#setRolloutTimeout}. */
    public Builder setRolloutTimeout(Duration timeout) {
      this.rolloutTimeout = timeout;
      return this;
    }

    /** See {@link EcsExecutor.Builder#setPollInterval}. */
    public Builder setPollInterval(Duration interval) {
      this.pollInterval = interval;
      return this;
    }

    /** See {@link EcsTopology.Builder#setHistoryBeforeStartHealthy}. */
    public Builder setHistoryBeforeStartHealthy(boolean healthy) {
      this.historyBeforeStartHealthy = healthy;
      return this;
    }

    /**
     * Checks the clusters, reads the topology once and builds the executors.
     *
     * @throws IllegalStateException when a cluster is unknown or auto scaling was not decided
     */
    public EcsAdapter start() {
      if (!scalingDecided) {
        throw new IllegalStateException("setAutoScaling(http, credentials, region, endpoint) or setNoAutoScaling()"
            + " is required (see EcsScaleExecutor)");
      }
      EcsTopology.Builder tb = EcsTopology.builder(ecs).setClusters(clusters).setServiceTag(serviceTag)
          .setDefaultMaxReplicas(defaultMaxReplicas).setRefreshInterval(refreshInterval)
          .setHistoryBeforeStartHealthy(historyBeforeStartHealthy);
      if (http != null) {
        tb.setAutoScaling(http, credentials, region, scalingEndpoint);
      }
      EcsTopology topology = tb.build().start();
      List<ActionExecutor> out = new ArrayList<>();
      if (enabled.contains("restart")) {
        out.add(common(EcsRestartExecutor.builder(ecs)).build());
      }
      if (enabled.contains("scale")) {
        EcsScaleExecutor.Builder b = common(EcsScaleExecutor.builder(ecs));
        if (http != null) {
          b.setAutoScaling(http, credentials, region, scalingEndpoint);
        } else {
          b.setNoAutoScaling();
        }
        out.add(b.build());
      }
      if (enabled.contains("rollback")) {
        out.add(common(EcsRollbackExecutor.builder(ecs)).build());
      }
      return new EcsAdapter(topology, out);
    }

    private <B extends EcsExecutor.Builder<B, ?>> B common(B b) {
      return b.setClusters(clusters).setServiceTag(serviceTag).setClock(clock).setRolloutTimeout(rolloutTimeout)
          .setPollInterval(pollInterval);
    }
  }
}
