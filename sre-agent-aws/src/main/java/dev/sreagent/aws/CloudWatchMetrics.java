package dev.sreagent.aws;

import dev.sreagent.api.Require;
import dev.sreagent.api.Polling;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * CloudWatch metrics as a telemetry source: polls {@code GetMetricData} every {@link Builder#setInterval interval}
 * (default 60 s) for a list of {@link Mapping}s, each turning one CloudWatch statistic (or the ratio of two) into one
 * of the SDK's signals, a {@link MetricSample} stamped with the bucket's start (CloudWatch's timestamp) and carrying
 * {@code service.name} from the mapping and {@code cloud.provider=aws}. {@link #ecsService} and {@link #albTargetGroup} build the mappings the built-in
 * detectors read for an ECS service (CPU and memory utilisation) and an Application Load Balancer target group
 * (p99 latency, error ratio, request rate).
 *
 * <p><b>Each datapoint once.</b> A CloudWatch datapoint is a bucket of one period stamped with its start, and
 * CloudWatch keeps revising the newest buckets while late data arrives (AWS services publish a minute or two
 * late). So a bucket {@code [t, t + period)} is read only once it is settled, when {@code t + period + settleDelay}
 * has passed (default {@link #DEFAULT_SETTLE_DELAY}), and then never again: each mapping keeps a cursor (the start of
 * the first bucket not yet read, aligned to the period) and the last timestamp it delivered, every poll asks only for
 * {@code [cursor, settled horizon)} and delivers only timestamps after the last one. Data arriving for a bucket after
 * it was read is not delivered (lengthen the settle delay where that matters more than the delay does). The first
 * poll, and the first after an outage longer than {@link Builder#setLookback lookback} (default 10 min), reads back
 * that far only.
 *
 * <p><b>Calls.</b> One {@code GetMetricData} call per window shared by mappings (usually one), at most
 * {@value #MAX_QUERIES_PER_CALL} queries each (the two queries of a ratio stay in one call), {@code ScanBy
 * TimestampAscending}, following {@code NextToken} to the last page. A failed call (throttling, a refused signature,
 * a timeout...) is logged and counted ({@code error.CODE}); the mappings of the other calls are still delivered, the
 * failed ones keep their cursor, so the next poll reads their window as well. A failed scheduled poll is counted
 * ({@code poll.failed}) and the loop backs off for up to 8 intervals, like {@code PrometheusSource}; nothing is ever
 * thrown into the scheduler. The client's own retries come first (the SDK's standard mode makes up to 3 attempts,
 * throttling included), so a failure counted here is one the client gave up on. A query answered other than
 * {@code Complete} ({@code InternalError}, {@code Forbidden}) delivers what came and is asked again from after its
 * last datapoint at the next poll ({@code incomplete.STATUS}). Queries are billed by CloudWatch per metric
 * requested: a mapping costs one metric (a ratio two) per poll.
 *
 * <p>Give it a {@link CloudWatchClient} built for your account and region; it never builds one itself (so never
 * falls back to the default credential chain).
 */
public final class CloudWatchMetrics implements TelemetrySource {
  /** AWS's limit of {@code MetricDataQueries} per {@code GetMetricData} call. */
  public static final int MAX_QUERIES_PER_CALL = 500;
  /** How long after its end a bucket is taken as final. */
  public static final Duration DEFAULT_SETTLE_DELAY = Duration.ofMinutes(2);
  /** The period of the standard mappings. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);
  /** The attribute naming the cloud, {@code aws} on every sample. */
  public static final String CLOUD_PROVIDER = "cloud.provider";

  private static final Logger LOG = LoggerFactory.getLogger(CloudWatchMetrics.class);
  private static final Set<String> SIMPLE_STATS = Set.of("SampleCount", "Average", "Sum", "Minimum", "Maximum");
  private static final Pattern EXTENDED_STAT = Pattern.compile(
      "^(p|tm|wm|tc|ts)(\\d{1,2}(\\.\\d{1,10})?|100)$|^(TM|WM|TC|TS|PR)\\(.+\\)$|^IQM$");
  private static final int MAX_PAGES = 10_000;

  /**
   * One CloudWatch statistic: what a {@code MetricDataQuery}'s {@code MetricStat} reads.
   *
   * @param namespace such as {@code AWS/ECS}
   * @param metricName such as {@code CPUUtilization}
   * @param dimensions the metric's exact dimensions (CloudWatch treats each combination as a metric of its own)
   * @param stat {@code Average}, {@code Sum}, {@code Minimum}, {@code Maximum}, {@code SampleCount} or an extended
   *     statistic such as {@code p99}
   * @param period the bucket length: 1, 5, 10, 20 or 30 s (high-resolution metrics) or a multiple of 60 s
   */
  public record MetricQuery(String namespace, String metricName, Map<String, String> dimensions, String stat,
      Duration period) {
    public MetricQuery {
      requireLength(namespace, 255, "namespace");
      requireLength(metricName, 255, "metricName");
      Objects.requireNonNull(dimensions, "dimensions");
      if (dimensions.size() > 30) {
        throw new IllegalArgumentException("dimensions may hold at most 30 entries (CloudWatch's limit), but "
            + metricName + " had " + dimensions.size());
      }
      dimensions.forEach((k, v) -> {
        requireLength(k, 255, "dimension name");
        requireLength(v, 1024, "value of dimension " + k);
      });
      dimensions = Map.copyOf(new TreeMap<>(dimensions));
      Objects.requireNonNull(stat, "stat");
      if (!SIMPLE_STATS.contains(stat) && !EXTENDED_STAT.matcher(stat).matches()) {
        throw new IllegalArgumentException("stat must be SampleCount, Average, Sum, Minimum, Maximum or an extended"
            + " statistic such as p99, but was '" + stat + "'");
      }
      Require.positive(period, "period");
      long s = period.getSeconds();
      boolean valid = period.getNano() == 0 && (s >= 60 ? s % 60 == 0 : Set.of(1L, 5L, 10L, 20L, 30L).contains(s));
      if (!valid) {
        throw new IllegalArgumentException("period must be 1, 5, 10, 20 or 30 seconds or a multiple of 60 seconds,"
            + " but was " + period);
      }
    }

    /** {@code namespace}/{@code metricName} with {@code dimensions}, {@code stat} over one-minute buckets. */
    public static MetricQuery of(String namespace, String metricName, Map<String, String> dimensions, String stat) {
      return new MetricQuery(namespace, metricName, dimensions, stat, DEFAULT_PERIOD);
    }

    long periodSeconds() {
      return period.getSeconds();
    }

    MetricStat toSdk() {
      List<Dimension> dims = new ArrayList<>();
      dimensions.forEach((k, v) -> dims.add(Dimension.builder().name(k).value(v).build()));
      return MetricStat.builder().metric(m -> m.namespace(namespace).metricName(metricName).dimensions(dims))
          .period((int) period.getSeconds()).stat(stat).build();
    }
  }

  /**
   * One SDK signal made of CloudWatch data: {@code value / divisor} of each datapoint of {@code query}, or, with a
   * {@code denominator}, {@code query / denominator} per bucket (a bucket missing from {@code query} counts 0, as
   * CloudWatch leaves out the buckets of counts that stayed at zero; buckets whose denominator is missing or 0 are
   * skipped).
   *
   * @param signal the SDK metric name, such as {@link MetricNames#CPU_UTILIZATION}
   * @param service the agent's name of the service ({@code service.name})
   * @param query the statistic read
   * @param denominator the statistic divided by, or null
   * @param divisor divides each value (100 turns CloudWatch's percent into a fraction, the period in seconds a
   *     {@code Sum} into a rate; 1 for ratios). A divisor rather than a factor: {@code 70 / 100} is the double
   *     {@code 0.7}, {@code 70 * 0.01} is not
   * @param attributes more attributes of every sample ({@code service.name} and {@code cloud.provider} are set)
   */
  public record Mapping(String signal, String service, MetricQuery query, @Nullable MetricQuery denominator,
      double divisor, Map<String, String> attributes) {
    public Mapping {
      Require.notBlank(signal, "signal");
      Require.notBlank(service, "service");
      Objects.requireNonNull(query, "query");
      Require.finite(divisor, "divisor");
      if (divisor == 0) {
        throw new IllegalArgumentException("divisor must not be 0, but was 0.0");
      }
      if (denominator != null && !denominator.period().equals(query.period())) {
        throw new IllegalArgumentException("a ratio's numerator and denominator must have one period, but "
            + signal + " had " + query.period() + " and " + denominator.period());
      }
      attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    /** The statistic's value as it is. */
    public static Mapping of(String signal, String service, MetricQuery query) {
      return new Mapping(signal, service, query, null, 1.0, Map.of());
    }

    /** The statistic's value divided by {@code divisor} (100 turns CloudWatch's percent into a fraction). */
    public static Mapping dividedBy(String signal, String service, MetricQuery query, double divisor) {
      return new Mapping(signal, service, query, null, divisor, Map.of());
    }

    /** A {@code Sum} per bucket as a rate per second (divided by the period). */
    public static Mapping perSecond(String signal, String service, MetricQuery sum) {
      return new Mapping(signal, service, sum, null, sum.periodSeconds(), Map.of());
    }

    /** {@code numerator / denominator} per bucket, such as 5xx responses over requests. */
    public static Mapping ratio(String signal, String service, MetricQuery numerator, MetricQuery denominator) {
      return new Mapping(signal, service, numerator, Objects.requireNonNull(denominator, "denominator"), 1.0,
          Map.of());
    }

    /** This mapping with {@code more} attributes on every sample. */
    public Mapping withAttributes(Map<String, String> more) {
      Map<String, String> all = new LinkedHashMap<>(attributes);
      all.putAll(more);
      return new Mapping(signal, service, query, denominator, divisor, all);
    }

    int queryCount() {
      return denominator == null ? 1 : 2;
    }
  }

  /**
   * The mappings of an ECS service's own metrics ({@code AWS/ECS}, dimensions {@code ClusterName} and
   * {@code ServiceName}, one-minute {@code Average}): {@code CPUUtilization} as
   * {@link MetricNames#CPU_UTILIZATION} and {@code MemoryUtilization} as {@link MetricNames#MEMORY_UTILIZATION},
   * percent turned into fractions (above 1 when tasks use more than their reservation, which ECS allows without a
   * hard limit). {@code service.name} is the ECS service's name.
   */
  public static List<Mapping> ecsService(String cluster, String service) {
    return ecsService(cluster, service, service);
  }

  /** As {@link #ecsService(String, String)}, with {@code agentName} as {@code service.name}. */
  public static List<Mapping> ecsService(String cluster, String service, String agentName) {
    requireLength(cluster, 255, "cluster");
    requireLength(service, 255, "service");
    Map<String, String> dims = Map.of("ClusterName", cluster, "ServiceName", service);
    Map<String, String> attrs = Map.of("aws.ecs.cluster.name", cluster, "aws.ecs.service.name", service);
    return List.of(
        Mapping.dividedBy(MetricNames.CPU_UTILIZATION, agentName,
            MetricQuery.of("AWS/ECS", "CPUUtilization", dims, "Average"), 100).withAttributes(attrs),
        Mapping.dividedBy(MetricNames.MEMORY_UTILIZATION, agentName,
            MetricQuery.of("AWS/ECS", "MemoryUtilization", dims, "Average"), 100).withAttributes(attrs));
  }

  /**
   * The mappings of an Application Load Balancer target group ({@code AWS/ApplicationELB}, dimensions
   * {@code LoadBalancer} and {@code TargetGroup}, one-minute buckets): {@code TargetResponseTime} {@code p99}
   * (seconds) as {@link MetricNames#LATENCY_P99}, {@code HTTPCode_Target_5XX_Count} over {@code RequestCount}
   * ({@code Sum}s) as {@link MetricNames#ERROR_RATIO}, {@code RequestCount} per second as
   * {@link MetricNames#REQUEST_RATE}.
   *
   * @param loadBalancer the load balancer's ARN or its dimension value {@code app/NAME/ID}
   * @param targetGroup the target group's ARN or its dimension value {@code targetgroup/NAME/ID}
   * @param service the agent's name of the service behind the target group
   */
  public static List<Mapping> albTargetGroup(String loadBalancer, String targetGroup, String service) {
    String lb = dimensionValue(loadBalancer, "app/", "loadBalancer",
        "an ALB's ARN or its dimension value app/NAME/ID");
    String tg = dimensionValue(targetGroup, "targetgroup/", "targetGroup",
        "a target group's ARN or its dimension value targetgroup/NAME/ID");
    Map<String, String> dims = Map.of("LoadBalancer", lb, "TargetGroup", tg);
    MetricQuery requests = MetricQuery.of("AWS/ApplicationELB", "RequestCount", dims, "Sum");
    Map<String, String> attrs = Map.of("aws.elb.load_balancer", lb, "aws.elb.target_group", tg);
    return List.of(
        Mapping.of(MetricNames.LATENCY_P99, service,
            MetricQuery.of("AWS/ApplicationELB", "TargetResponseTime", dims, "p99")).withAttributes(attrs),
        Mapping.ratio(MetricNames.ERROR_RATIO, service,
            MetricQuery.of("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Sum"), requests)
            .withAttributes(attrs),
        Mapping.perSecond(MetricNames.REQUEST_RATE, service, requests).withAttributes(attrs));
  }

  /**
   * The dimension value in {@code given}: itself, or the part of an ARN from {@code prefix} on (the resource part
   * after {@code :loadbalancer/} for a load balancer, after the last {@code :} for a target group).
   */
  private static String dimensionValue(String given, String prefix, String field, String what) {
    Objects.requireNonNull(given, field);
    String v = given;
    if (given.startsWith("arn:")) {
      String resource = given.substring(given.lastIndexOf(':') + 1);
      v = resource.startsWith("loadbalancer/") ? resource.substring("loadbalancer/".length()) : resource;
    }
    String[] parts = v.split("/", -1);
    if (!v.startsWith(prefix) || parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new IllegalArgumentException(field + " must be " + what + ", but was '" + given + "'");
    }
    return v;
  }

  /** Builder of {@link CloudWatchMetrics}. */
  public static final class Builder {
    private final CloudWatchClient client;
    private final List<Mapping> mappings = new ArrayList<>();
    private Duration interval = Duration.ofSeconds(60);
    private Duration settleDelay = DEFAULT_SETTLE_DELAY;
    private Duration lookback = Duration.ofMinutes(10);
    private Clock clock = Clock.system();

    private Builder(CloudWatchClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Adds one mapping. */
    public Builder addMapping(Mapping mapping) {
      mappings.add(Objects.requireNonNull(mapping, "mapping"));
      return this;
    }

    /** Adds mappings, such as {@link #ecsService}'s. */
    public Builder addMappings(Collection<Mapping> more) {
      more.forEach(this::addMapping);
      return this;
    }

    /** How often to poll (default 60 s; CloudWatch's standard resolution is one minute). */
    public Builder setInterval(Duration interval) {
      this.interval = Require.positive(interval, "interval");
      return this;
    }

    /** How long after its end a bucket is read (default {@link #DEFAULT_SETTLE_DELAY}); see the class comment. */
    public Builder setSettleDelay(Duration settleDelay) {
      this.settleDelay = Require.notNegative(settleDelay, "settleDelay");
      return this;
    }

    /** How far back the first poll (and the first after an outage) reads (default 10 min). */
    public Builder setLookback(Duration lookback) {
      this.lookback = Require.positive(lookback, "lookback");
      return this;
    }

    /** The clock that says up to when each poll reads (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public CloudWatchMetrics build() {
      if (mappings.isEmpty()) {
        throw new IllegalArgumentException("mappings must not be empty, but was []: add ecsService(...),"
            + " albTargetGroup(...) or your own");
      }
      Set<String> seen = new java.util.HashSet<>();
      for (Mapping m : mappings) {
        if (!seen.add(m.signal() + "|" + m.service() + "|" + m.query() + "|" + m.denominator())) {
          throw new IllegalArgumentException("mappings must not repeat, but " + m.signal() + " of " + m.service()
              + " from " + m.query().namespace() + "/" + m.query().metricName() + " was added twice");
        }
      }
      return new CloudWatchMetrics(this);
    }
  }

  private record Window(Instant start, Instant end) {}

  private final CloudWatchClient client;
  private final List<Mapping> mappings;
  private final List<Map<String, String>> attributes;
  private final Duration interval;
  private final Duration settleDelay;
  private final Duration lookback;
  private final Clock clock;
  private final @Nullable Instant[] cursors;
  private final @Nullable Instant[] lastDelivered;
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final Object pollLock = new Object();
  private @Nullable Polling polling;
  private volatile @Nullable TelemetrySink sink;

  private CloudWatchMetrics(Builder b) {
    this.client = b.client;
    this.mappings = List.copyOf(b.mappings);
    this.interval = b.interval;
    this.settleDelay = b.settleDelay;
    this.lookback = b.lookback;
    this.clock = b.clock;
    this.cursors = new Instant[mappings.size()];
    this.lastDelivered = new Instant[mappings.size()];
    List<Map<String, String>> attrs = new ArrayList<>();
    for (Mapping m : mappings) {
      Map<String, String> a = new TreeMap<>(m.attributes());
      a.put(CLOUD_PROVIDER, "aws");
      a.put(Attributes.SERVICE_NAME, m.service());
      attrs.add(Map.copyOf(a));
    }
    this.attributes = List.copyOf(attrs);
  }

  /** A builder polling with {@code client} (its region and credentials are the ones read). */
  public static Builder builder(CloudWatchClient client) {
    return new Builder(client);
  }

  /** The mappings polled, in order. */
  public List<Mapping> mappings() {
    return mappings;
  }

  @Override
  public String name() {
    return "cloudwatch";
  }

  @Override
  public synchronized void start(TelemetrySink target) {
    if (polling != null) {
      return;
    }
    this.sink = Objects.requireNonNull(target, "target");
    polling = Polling.start("sre-agent-cloudwatch", interval, true, () -> poll(clock.now()), (e, inARow, next) -> {
      count("poll.failed", 1);
      LOG.warn("CloudWatch poll failed ({} in a row; next try in {} interval(s)): {}", inARow, next, e.toString());
    });
  }

  /** Sets the sink without scheduling polls (for callers that drive {@link #poll(Instant)} themselves). */
  void attach(TelemetrySink target) {
    this.sink = Objects.requireNonNull(target, "target");
  }

  /**
   * One poll up to {@code now}: reads every settled bucket not read before and delivers it to the sink; returns the
   * samples the sink accepted. When a call fails, the others are still made and delivered, then the first failure
   * is thrown (the later ones suppressed in it).
   *
   * @throws IllegalStateException when neither {@link #start} nor {@code attach} gave it a sink
   */
  public int poll(Instant now) {
    Objects.requireNonNull(now, "now");
    TelemetrySink target = sink;
    if (target == null) {
      throw new IllegalStateException("no sink: start(sink) first");
    }
    synchronized (pollLock) {
      return pollLocked(now, target);
    }
  }

  private int pollLocked(Instant now, TelemetrySink target) {
    Map<Window, List<Integer>> windows = new LinkedHashMap<>();
    for (int i = 0; i < mappings.size(); i++) {
      long p = mappings.get(i).query().periodSeconds();
      Instant horizon = alignDown(now.minus(settleDelay), p);
      Instant earliest = alignDown(horizon.minus(lookback), p);
      Instant start = cursors[i] == null || cursors[i].isBefore(earliest) ? earliest : cursors[i];
      if (start.isBefore(horizon)) {
        windows.computeIfAbsent(new Window(start, horizon), k -> new ArrayList<>()).add(i);
      }
    }
    int delivered = 0;
    RuntimeException first = null;
    for (Map.Entry<Window, List<Integer>> w : windows.entrySet()) {
      for (List<Integer> batch : batches(w.getValue())) {
        try {
          delivered += fetchAndDeliver(w.getKey(), batch, target);
        } catch (RuntimeException e) {
          String code = errorCode(e);
          count("error." + code, 1);
          LOG.warn("CloudWatch GetMetricData for {} mapping(s) from {} to {} failed: {}", batch.size(),
              w.getKey().start(), w.getKey().end(), e.toString());
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    count("samples", delivered);
    if (first != null) {
      throw first;
    }
    return delivered;
  }

  private List<List<Integer>> batches(List<Integer> indices) {
    List<List<Integer>> out = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    int queries = 0;
    for (int i : indices) {
      int n = mappings.get(i).queryCount();
      if (queries + n > MAX_QUERIES_PER_CALL) {
        out.add(current);
        current = new ArrayList<>();
        queries = 0;
      }
      current.add(i);
      queries += n;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private int fetchAndDeliver(Window w, List<Integer> batch, TelemetrySink target) {
    List<MetricDataQuery> queries = new ArrayList<>();
    for (int i : batch) {
      Mapping m = mappings.get(i);
      queries.add(MetricDataQuery.builder().id("m" + i).metricStat(m.query().toSdk()).returnData(true).build());
      if (m.denominator() != null) {
        queries.add(MetricDataQuery.builder().id("m" + i + "_d").metricStat(m.denominator().toSdk())
            .returnData(true).build());
      }
    }
    Map<String, TreeMap<Instant, Double>> points = new LinkedHashMap<>();
    Map<String, StatusCode> status = new LinkedHashMap<>();
    String token = null;
    int pages = 0;
    do {
      GetMetricDataRequest request = GetMetricDataRequest.builder().metricDataQueries(queries)
          .startTime(w.start()).endTime(w.end()).scanBy(ScanBy.TIMESTAMP_ASCENDING).nextToken(token).build();
      GetMetricDataResponse response = client.getMetricData(request);
      count("calls", 1);
      for (MetricDataResult r : response.metricDataResults()) {
        TreeMap<Instant, Double> series = points.computeIfAbsent(r.id(), k -> new TreeMap<>());
        int n = Math.min(r.timestamps().size(), r.values().size());
        for (int k = 0; k < n; k++) {
          series.put(r.timestamps().get(k), r.values().get(k));
        }
        if (r.statusCode() != null) {
          status.put(r.id(), r.statusCode());
        }
      }
      token = response.nextToken();
      if (++pages >= MAX_PAGES && token != null) {
        throw new IllegalStateException("GetMetricData answered more than " + MAX_PAGES + " pages from "
            + w.start() + " to " + w.end() + "; stopped following NextToken");
      }
    } while (token != null && !token.isEmpty());

    int delivered = 0;
    for (int i : batch) {
      Mapping m = mappings.get(i);
      String id = "m" + i;
      TreeMap<Instant, Double> values = points.getOrDefault(id, new TreeMap<>());
      boolean complete = status.get(id) == StatusCode.COMPLETE;
      TreeMap<Instant, Double> out = new TreeMap<>();
      if (m.denominator() == null) {
        values.forEach((t, v) -> out.put(t, v / m.divisor()));
      } else {
        TreeMap<Instant, Double> den = points.getOrDefault(id + "_d", new TreeMap<>());
        complete &= status.get(id + "_d") == StatusCode.COMPLETE;
        den.forEach((t, d) -> {
          if (d > 0) {
            out.put(t, values.getOrDefault(t, 0.0) / d / m.divisor());
          }
        });
      }
      for (Map.Entry<Instant, Double> e : out.entrySet()) {
        Instant t = e.getKey();
        if (t.isBefore(w.start()) || !t.isBefore(w.end())
            || (lastDelivered[i] != null && !t.isAfter(lastDelivered[i]))) {
          count("skipped.outside-window", 1);
          continue;
        }
        lastDelivered[i] = t;
        if (target.accept(new MetricSample(m.signal(), e.getValue(), t, attributes.get(i)))) {
          delivered++;
        } else {
          count("dropped", 1);
        }
      }
      if (complete) {
        cursors[i] = w.end();
      } else {
        count("incomplete." + statusName(status.get(id), status.get(id + "_d")), 1);
        Instant last = lastDelivered[i];
        cursors[i] = last == null || last.isBefore(w.start()) ? w.start()
            : last.plusSeconds(m.query().periodSeconds());
        LOG.warn("CloudWatch answered {} for {} of {}; the rest is read at the next poll", status.get(id),
            m.signal(), m.service());
      }
    }
    return delivered;
  }

  private static String statusName(@Nullable StatusCode a, @Nullable StatusCode b) {
    StatusCode s = a != StatusCode.COMPLETE ? a : b;
    return s == null ? "missing" : s.toString();
  }

  private static String errorCode(RuntimeException e) {
    if (e instanceof AwsServiceException a && a.awsErrorDetails() != null
        && a.awsErrorDetails().errorCode() != null) {
      return a.awsErrorDetails().errorCode();
    }
    return e.getClass().getSimpleName();
  }

  private static Instant alignDown(Instant t, long periodSeconds) {
    long s = t.getEpochSecond();
    return Instant.ofEpochSecond(s - Math.floorMod(s, periodSeconds));
  }

  private static void requireLength(@Nullable String s, int max, String field) {
    if (s == null || s.isBlank() || s.length() > max) {
      throw new IllegalArgumentException(field + " must be 1 to " + max + " characters and not blank, but was "
          + (s == null ? "null" : "'" + s + "'"));
    }
  }

  private void count(String key, long n) {
    counters.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
  }

  /**
   * Counters: {@code samples} (accepted by the sink), {@code calls} ({@code GetMetricData} pages), {@code
   * poll.failed}, {@code error.CODE} (by AWS error code, such as {@code error.Throttling}), {@code dropped} (refused
   * by the sink), {@code incomplete.STATUS} (a query answered other than {@code Complete}), {@code
   * skipped.outside-window} (datapoints outside the window asked for, or not newer than the last one delivered).
   */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public synchronized void close() {
    if (polling != null) {
      polling.close();
      polling = null;
    }
  }
}
