package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.aws.CloudWatchMetrics.Mapping;
import dev.sreagent.aws.CloudWatchMetrics.MetricQuery;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.CloudWatchEmulation;
import dev.sreagent.testkit.aws.CloudWatchEmulation.MetricDataCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.InvalidNextTokenException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterCombinationException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterValueException;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MissingRequiredParameterException;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/** {@link CloudWatchMetrics} through the real SDK client against the {@link AwsEmulator}'s CloudWatch. */
class CloudWatchMetricsTest {
  static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
  static final String LB = "app/shop-alb/50dc6c495c0c9188";
  static final String TG = "targetgroup/checkout/73e2d6bc24d8a067";
  static final Map<String, String> ECS_DIMS = Map.of("ClusterName", "prod", "ServiceName", "checkout");
  static final Map<String, String> ALB_DIMS = Map.of("LoadBalancer", LB, "TargetGroup", TG);

  AwsEmulator aws;
  CloudWatchEmulation cw;
  CloudWatchClient client;
  final List<CloudWatchClient> clients = new ArrayList<>();
  final AtomicReference<Instant> now = new AtomicReference<>(T0);
  final List<MetricSample> samples = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("eu-west-1");
    cw = aws.cloudWatch();
    client = client(aws.secretAccessKey(), b -> {});
  }

  @AfterEach
  void stop() {
    clients.forEach(CloudWatchClient::close);
    aws.close();
  }

  CloudWatchClient client(String secret, Consumer<CloudWatchClientBuilder> more) {
    CloudWatchClientBuilder b = CloudWatchClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(aws.accessKeyId(), secret)))
        .httpClient(UrlConnectionHttpClient.create());
    more.accept(b);
    CloudWatchClient c = b.build();
    clients.add(c);
    return c;
  }

  CloudWatchClient clientWithoutRetries() {
    return client(aws.secretAccessKey(), b -> b.overrideConfiguration(o -> o.retryStrategy(
        AwsRetryStrategy.doNotRetry())));
  }

  CloudWatchMetrics source(CloudWatchClient c, List<Mapping> mappings) {
    CloudWatchMetrics s = CloudWatchMetrics.builder(c).addMappings(mappings).setClock(now::get).build();
    s.attach(this::collect);
    return s;
  }

  boolean collect(Signal s) {
    samples.add((MetricSample) s);
    return true;
  }

  List<MetricSample> named(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  @Test
  void anEcsServicesCpuAndMemoryArriveAsFractionsOfItsService() {
    cw.put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plusSeconds(10), 40, "Percent")
        .put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plusSeconds(40), 60, "Percent")
        .put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plusSeconds(70), 90, "Percent")
        .put("AWS/ECS", "MemoryUtilization", ECS_DIMS, T0.plusSeconds(20), 75, "Percent")
        // another service of the cluster, and the cluster's own metric: not read
        .put("AWS/ECS", "CPUUtilization", Map.of("ClusterName", "prod", "ServiceName", "cart"), T0, 99)
        .put("AWS/ECS", "CPUUtilization", Map.of("ClusterName", "prod"), T0, 98);
    CloudWatchMetrics source = source(client, CloudWatchMetrics.ecsService("prod", "checkout"));
    now.set(T0.plus(Duration.ofMinutes(5)));

    assertThat(source.poll(now.get())).isEqualTo(3);

    assertThat(named(MetricNames.CPU_UTILIZATION)).extracting(MetricSample::timestamp, MetricSample::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(T0, 0.5), org.assertj.core.groups.Tuple.tuple(
            T0.plusSeconds(60), 0.9));
    MetricSample mem = named(MetricNames.MEMORY_UTILIZATION).get(0);
    assertThat(mem.value()).isEqualTo(0.75);
    assertThat(mem.attributes()).containsEntry(Attributes.SERVICE_NAME, "checkout")
        .containsEntry(CloudWatchMetrics.CLOUD_PROVIDER, "aws").containsEntry("aws.ecs.cluster.name", "prod");
    MetricDataCall call = cw.metricDataCalls().get(0);
    assertThat(call.queries()).isEqualTo(2);
    assertThat(call.scanBy()).isEqualTo("TimestampAscending");
    assertThat(call.endTime()).isEqualTo(T0.plus(Duration.ofMinutes(3)));   // now - 2 min settle
    assertThat(call.startTime()).isEqualTo(T0.minus(Duration.ofMinutes(7)));  // 10 min lookback
    assertThat(source.counters()).containsEntry("samples", 3L).containsEntry("calls", 1L);
  }

  @Test
  void anAlbTargetGroupGivesP99LatencyErrorRatioAndRequestRate() {
    for (int i = 1; i <= 100; i++) {
      cw.put("AWS/ApplicationELB", "TargetResponseTime", ALB_DIMS, T0.plusMillis(i * 100L), i / 1000.0, "Seconds");
    }
    cw.put("AWS/ApplicationELB", "RequestCount", ALB_DIMS, T0.plusSeconds(5), 70, "Count")
        .put("AWS/ApplicationELB", "RequestCount", ALB_DIMS, T0.plusSeconds(35), 50, "Count")
        .put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ALB_DIMS, T0.plusSeconds(30), 6, "Count")
        // the next minute: requests, and no 5xx datapoint at all (CloudWatch leaves zero counts out)
        .put("AWS/ApplicationELB", "RequestCount", ALB_DIMS, T0.plusSeconds(65), 30, "Count");
    List<Mapping> alb = CloudWatchMetrics.albTargetGroup(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/" + LB,
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:" + TG, "checkout");
    CloudWatchMetrics source = source(client, alb);
    now.set(T0.plus(Duration.ofMinutes(4)));

    source.poll(now.get());

    assertThat(named(MetricNames.LATENCY_P99)).singleElement().satisfies(s -> {
      assertThat(s.value()).isCloseTo(0.099, within(1e-12));
      assertThat(s.timestamp()).isEqualTo(T0);
      assertThat(s.attributes()).containsEntry(Attributes.SERVICE_NAME, "checkout")
          .containsEntry("aws.elb.target_group", TG);
    });
    assertThat(named(MetricNames.ERROR_RATIO)).extracting(MetricSample::value).containsExactly(0.05, 0.0);
    assertThat(named(MetricNames.REQUEST_RATE)).extracting(MetricSample::value).containsExactly(2.0, 0.5);
    assertThat(cw.metricDataCalls()).singleElement().extracting(MetricDataCall::queries).isEqualTo(4);
  }

  @Test
  void pagesAreFollowedToTheLastAndEveryPointArrivesOnce() {
    cw.setMaxDatapointsPerCall(7);
    List<Mapping> mappings = new ArrayList<>();
    for (String svc : List.of("a", "b", "c")) {
      Map<String, String> dims = Map.of("ClusterName", "prod", "ServiceName", svc);
      for (int m = 0; m < 10; m++) {
        cw.put("AWS/ECS", "CPUUtilization", dims, T0.plus(Duration.ofMinutes(m)), m);
      }
      mappings.add(Mapping.of(MetricNames.CPU_UTILIZATION, svc,
          MetricQuery.of("AWS/ECS", "CPUUtilization", dims, "Maximum")));
    }
    CloudWatchMetrics source = source(client, mappings);
    now.set(T0.plus(Duration.ofMinutes(12)));

    assertThat(source.poll(now.get())).isEqualTo(30);

    List<MetricDataCall> calls = cw.metricDataCalls();
    assertThat(calls).hasSize(5);   // 30 datapoints, 7 a page
    assertThat(calls.get(0).nextToken()).isNull();
    assertThat(calls.subList(1, 5)).allSatisfy(c -> assertThat(c.nextToken()).isNotNull());
    assertThat(calls).extracting(MetricDataCall::datapointsReturned).containsExactly(7, 7, 7, 7, 2);
    for (String svc : List.of("a", "b", "c")) {
      assertThat(samples.stream().filter(s -> s.service().equals(svc)).map(MetricSample::value))
          .containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
    }
    assertThat(source.counters()).containsEntry("calls", 5L);
  }

  @Test
  void eachBucketIsReadOnceWhenSettledAndLateRevisionsAreNotDeliveredAgain() {
    Map<String, String> dims = ECS_DIMS;
    CloudWatchMetrics source = CloudWatchMetrics.builder(client)
        .addMapping(Mapping.of("requests", "checkout", MetricQuery.of("AWS/ECS", "Requests", dims, "Sum")))
        .setSettleDelay(Duration.ofSeconds(90)).setClock(now::get).build();
    source.attach(this::collect);
    // a datapoint every 20 s for 20 minutes, polled every 30 s as time passes
    for (int s = 0; s < 20 * 60; s += 30) {
      now.set(T0.plusSeconds(s));
      if (s % 60 == 0) {
        cw.put("AWS/ECS", "Requests", dims, now.get(), 1).put("AWS/ECS", "Requests", dims, now.get().plusSeconds(20), 1)
            .put("AWS/ECS", "Requests", dims, now.get().plusSeconds(40), 1);
      }
      source.poll(now.get());
      if (s == 5 * 60) {
        // a late datapoint for a bucket already read: CloudWatch would revise it, the source does not resend it
        cw.put("AWS/ECS", "Requests", dims, T0.plusSeconds(60), 100);
      }
    }
    List<Instant> times = samples.stream().map(MetricSample::timestamp).toList();
    assertThat(new HashSet<>(times)).hasSameSizeAs(times);
    // buckets settle 90 s after their end: at 19:30 the last one read is 17:00's
    assertThat(times).containsExactlyElementsOf(IntStream.rangeClosed(0, 17)
        .mapToObj(m -> T0.plus(Duration.ofMinutes(m))).toList());
    assertThat(samples).allSatisfy(s -> assertThat(s.value()).isEqualTo(3.0));
  }

  @Test
  void moreThan500QueriesAreSplitIntoCallsKeepingARatiosPairTogether() {
    List<Mapping> mappings = new ArrayList<>();
    for (int i = 0; i < 260; i++) {
      Map<String, String> dims = Map.of("LoadBalancer", LB, "TargetGroup", "targetgroup/tg" + i + "/1");
      mappings.add(Mapping.ratio(MetricNames.ERROR_RATIO, "svc" + i,
          MetricQuery.of("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Sum"),
          MetricQuery.of("AWS/ApplicationELB", "RequestCount", dims, "Sum")));
      cw.put("AWS/ApplicationELB", "RequestCount", dims, T0, 10);
      cw.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, T0, i % 10);
    }
    CloudWatchMetrics source = source(client, mappings);
    now.set(T0.plus(Duration.ofMinutes(4)));

    assertThat(source.poll(now.get())).isEqualTo(260);

    assertThat(cw.metricDataCalls()).extracting(MetricDataCall::queries).containsExactly(500, 20);
    assertThat(samples).allSatisfy(s -> assertThat(s.value())
        .isEqualTo(Integer.parseInt(s.service().substring(3)) % 10 / 10.0));
  }

  @Test
  void throttlingFailsThePollIsCountedAndTheNextPollReadsTheMissedWindowToo() {
    cw.put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0, 50)
        .put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plusSeconds(120), 70)
        .put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plusSeconds(240), 90);
    CloudWatchMetrics source = source(clientWithoutRetries(), CloudWatchMetrics.ecsService("prod", "checkout"));
    now.set(T0.plus(Duration.ofMinutes(3)));
    assertThat(source.poll(now.get())).isEqualTo(1);

    aws.failNext("GetMetricData", 400, "Throttling", "Rate exceeded");
    now.set(T0.plus(Duration.ofMinutes(5)));
    assertThatThrownBy(() -> source.poll(now.get())).isInstanceOfSatisfying(CloudWatchException.class,
        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("Throttling"));
    assertThat(samples).hasSize(1);
    assertThat(source.counters()).containsEntry("error.Throttling", 1L);

    now.set(T0.plus(Duration.ofMinutes(7)));
    assertThat(source.poll(now.get())).isEqualTo(2);
    assertThat(named(MetricNames.CPU_UTILIZATION)).extracting(MetricSample::value).containsExactly(0.5, 0.7, 0.9);
    assertThat(cw.metricDataCalls().get(1).startTime()).isEqualTo(T0.plusSeconds(60));  // the failed window's start
  }

  @Test
  void theScheduledLoopCountsAFailedPollNeverThrowsAndRecovers() throws Exception {
    cw.put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0, 50);
    now.set(T0.plus(Duration.ofMinutes(5)));
    aws.failNext("GetMetricData", 400, "Throttling", "Rate exceeded");
    CloudWatchMetrics source = CloudWatchMetrics.builder(clientWithoutRetries())
        .addMappings(CloudWatchMetrics.ecsService("prod", "checkout")).setClock(now::get)
        .setInterval(Duration.ofMillis(30)).build();
    try (source) {
      source.start(this::collect);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (samples.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(samples).singleElement().extracting(MetricSample::value).isEqualTo(0.5);
    assertThat(source.counters()).containsEntry("poll.failed", 1L).containsEntry("error.Throttling", 1L);
  }

  @Test
  void aWrongSecretIsRefusedByTheEmulatorsSignatureCheck() {
    cw.put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0, 50);
    CloudWatchMetrics source = source(client("not-the-secret", b -> {}),
        CloudWatchMetrics.ecsService("prod", "checkout"));
    now.set(T0.plus(Duration.ofMinutes(5)));

    assertThatThrownBy(() -> source.poll(now.get())).isInstanceOfSatisfying(CloudWatchException.class,
        e -> assertThat(e.statusCode()).isEqualTo(403));

    assertThat(aws.refusals()).containsKey("InvalidSignatureException");
    assertThat(aws.calls("GetMetricData")).isEmpty();
    assertThat(samples).isEmpty();
    assertThat(source.counters()).containsEntry("error.InvalidSignatureException", 1L);
  }

  @Test
  void theEmulatorAggregatesStatisticsIntoBucketsAlignedToThePeriod() {
    Map<String, String> dims = Map.of("QueueName", "orders");
    double[] values = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10};
    for (int i = 0; i < values.length; i++) {
      cw.put("AWS/SQS", "Age", dims, T0.plusSeconds(i * 30L), values[i], "Seconds");   // 0..270 s: one 5-min bucket
    }
    cw.put("AWS/SQS", "Age", dims, T0.plusSeconds(300), 42, "Seconds")       // the next bucket
        .put("AWS/SQS", "Age", dims, T0.plusSeconds(310), 1000, "Milliseconds")  // another unit
        .put("AWS/SQS", "Age", dims, T0.plusSeconds(600), 77, "Seconds");     // at EndTime: excluded
    List<String> stats = List.of("Average", "Sum", "Minimum", "Maximum", "SampleCount", "p50", "p90", "p99");
    List<MetricDataQuery> queries = new ArrayList<>();
    for (String stat : stats) {
      queries.add(MetricDataQuery.builder().id("q" + stat.toLowerCase(java.util.Locale.ROOT)).metricStat(s -> s
          .metric(m -> m.namespace("AWS/SQS").metricName("Age").dimensions(dim("QueueName", "orders")))
          .period(300).stat(stat).unit("Seconds")).build());
    }
    GetMetricDataResponse r = client.getMetricData(GetMetricDataRequest.builder().metricDataQueries(queries)
        .startTime(T0.plusSeconds(17)).endTime(T0.plusSeconds(600)).build());

    List<MetricDataResult> results = r.metricDataResults();
    assertThat(results).extracting(MetricDataResult::statusCode).containsOnly(StatusCode.COMPLETE);
    assertThat(results.get(0).timestamps()).containsExactly(T0.plusSeconds(300), T0);   // newest first by default
    assertThat(results.get(0).label()).isEqualTo("Age");
    assertThat(results).extracting(x -> x.values().get(1))
        .containsExactly(5.5, 55.0, 1.0, 10.0, 10.0, 5.0, 9.0, 10.0);
    assertThat(results).extracting(x -> x.values().get(0)).containsOnly(42.0, 1.0);
    assertThat(r.nextToken()).isNull();
  }

  @Test
  void theEmulatorRefusesWhatCloudWatchRefuses() {
    MetricDataQuery good = query("m1", 60, "Average");

    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(query("1m", 60, "Average"),
        query("cpu-2", 60, "Average")).build()))
        .isInstanceOfSatisfying(CloudWatchException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
          assertThat(e.awsErrorDetails().errorMessage()).contains(
              "The value 1m for parameter MetricDataQueries.member.1.Id is not matching the expected pattern"
                  + " ^[a-z][a-zA-Z0-9_]*$.", "The value cpu-2 for parameter MetricDataQueries.member.2.Id");
        });
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(good, query("m1", 60, "Sum")).build()))
        .isInstanceOfSatisfying(InvalidParameterValueException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"))
        .hasMessageContaining("not unique");
    List<MetricDataQuery> many = IntStream.range(0, 501).mapToObj(i -> query("m" + i, 60, "Sum")).toList();
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(many).build()))
        .isInstanceOfSatisfying(CloudWatchException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError"))
        .hasMessageContaining("less than or equal to 500");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(good).endTime(T0).build()))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("StartTime must be less than the parameter EndTime");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(query("m1", 45, "Average"))
        .build()))
        .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("multiple of 60");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(query("m1", 60, "Avg")).build()))
        .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("Avg");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(MetricDataQuery.builder().id("e1")
        .expression("SUM(METRICS())").build()).build()))
        .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("metric math");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(MetricDataQuery.builder().id("e1")
        .build()).build()))
        .isInstanceOfSatisfying(InvalidParameterCombinationException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterCombination"));
    assertThatThrownBy(() -> client.getMetricData(GetMetricDataRequest.builder().metricDataQueries(good)
        .endTime(T0).build()))
        .isInstanceOfSatisfying(MissingRequiredParameterException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingParameter"))
        .hasMessageContaining("StartTime");
    assertThatThrownBy(() -> client.getMetricData(tenMinutes().metricDataQueries(good).nextToken("bm90LWEtdG9rZW4")
        .build()))
        .isInstanceOfSatisfying(InvalidNextTokenException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidNextToken"));
  }

  @Test
  void theEmulatorsNextTokenBelongsToItsRequest() {
    cw.setMaxDatapointsPerCall(2);
    for (int m = 0; m < 5; m++) {
      cw.put("AWS/ECS", "CPUUtilization", ECS_DIMS, T0.plus(Duration.ofMinutes(m)), m);
    }
    GetMetricDataRequest first = GetMetricDataRequest.builder().metricDataQueries(query("m1", 60, "Average"))
        .startTime(T0).endTime(T0.plusSeconds(600)).scanBy(ScanBy.TIMESTAMP_ASCENDING).build();
    GetMetricDataResponse p1 = client.getMetricData(first);
    assertThat(p1.metricDataResults().get(0).values()).containsExactly(0.0, 1.0);
    assertThat(p1.metricDataResults().get(0).statusCode()).isEqualTo(StatusCode.PARTIAL_DATA);
    // a token for another request is refused
    assertThatThrownBy(() -> client.getMetricData(first.toBuilder().endTime(T0.plusSeconds(540))
        .nextToken(p1.nextToken()).build())).isInstanceOf(InvalidNextTokenException.class);
    GetMetricDataResponse p2 = client.getMetricData(first.toBuilder().nextToken(p1.nextToken()).build());
    GetMetricDataResponse p3 = client.getMetricData(first.toBuilder().nextToken(p2.nextToken()).build());
    assertThat(p2.metricDataResults().get(0).values()).containsExactly(2.0, 3.0);
    assertThat(p3.metricDataResults().get(0).values()).containsExactly(4.0);
    assertThat(p3.metricDataResults().get(0).statusCode()).isEqualTo(StatusCode.COMPLETE);
    assertThat(p3.nextToken()).isNull();
  }

  @Test
  void badSettingsAreRefusedNamingTheInput() {
    assertThatThrownBy(() -> CloudWatchMetrics.builder(client).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mappings must not be empty");
    assertThatThrownBy(() -> CloudWatchMetrics.builder(client).setInterval(Duration.ZERO))
        .hasMessageContaining("interval must be positive, but was PT0S");
    assertThatThrownBy(() -> CloudWatchMetrics.builder(client).setSettleDelay(Duration.ofSeconds(-1)))
        .hasMessageContaining("settleDelay");
    assertThatThrownBy(() -> new MetricQuery("AWS/ECS", "CPUUtilization", ECS_DIMS, "Average",
        Duration.ofSeconds(45))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period must be 1, 5, 10, 20 or 30 seconds or a multiple of 60 seconds, but was PT45S");
    assertThatThrownBy(() -> MetricQuery.of("AWS/ECS", "CPUUtilization", ECS_DIMS, "Avg"))
        .hasMessageContaining("stat must be").hasMessageContaining("'Avg'");
    assertThatThrownBy(() -> MetricQuery.of("", "CPUUtilization", ECS_DIMS, "Average"))
        .hasMessageContaining("namespace must be 1 to 255 characters");
    assertThatThrownBy(() -> CloudWatchMetrics.albTargetGroup("shop-alb", TG, "checkout"))
        .hasMessageContaining("loadBalancer must be an ALB's ARN or its dimension value app/NAME/ID, but was"
            + " 'shop-alb'");
    assertThatThrownBy(() -> CloudWatchMetrics.albTargetGroup(LB, "arn:aws:elasticloadbalancing:x:1:tg/x/y",
        "checkout")).hasMessageContaining("targetGroup must be");
    assertThatThrownBy(() -> Mapping.ratio("r", "s", MetricQuery.of("N", "a", Map.of(), "Sum"),
        new MetricQuery("N", "b", Map.of(), "Sum", Duration.ofMinutes(5))))
        .hasMessageContaining("one period").hasMessageContaining("PT1M").hasMessageContaining("PT5M");
    List<Mapping> twice = new ArrayList<>(CloudWatchMetrics.ecsService("prod", "checkout"));
    twice.addAll(CloudWatchMetrics.ecsService("prod", "checkout"));
    assertThatThrownBy(() -> CloudWatchMetrics.builder(client).addMappings(twice).build())
        .hasMessageContaining("added twice");
  }

  @Test
  void pollingWithoutASinkIsRefused() {
    CloudWatchMetrics s = CloudWatchMetrics.builder(client).addMappings(CloudWatchMetrics.ecsService("p", "x"))
        .build();
    assertThatThrownBy(() -> s.poll(T0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no sink");
  }

  static Dimension dim(String name, String value) {
    return Dimension.builder().name(name).value(value).build();
  }

  static GetMetricDataRequest.Builder tenMinutes() {
    return GetMetricDataRequest.builder().startTime(T0).endTime(T0.plusSeconds(600));
  }

  static MetricDataQuery query(String id, int period, String stat) {
    return MetricDataQuery.builder().id(id).metricStat(s -> s.metric(m -> m.namespace("AWS/ECS")
        .metricName("CPUUtilization").dimensions(dim("ClusterName", "prod"), dim("ServiceName", "checkout")))
        .period(period).stat(stat)).build();
  }
}
