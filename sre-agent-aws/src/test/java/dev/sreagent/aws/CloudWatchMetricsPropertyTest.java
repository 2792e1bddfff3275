package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricSample;
import dev.sreagent.aws.CloudWatchMetrics.Mapping;
import dev.sreagent.aws.CloudWatchMetrics.MetricQuery;
import dev.sreagent.testkit.aws.AwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * Whatever the datapoints, the page size and the times of the polls: after each poll, exactly the buckets settled by
 * then have arrived, each once and with its whole sum (the emulator's bucketing, its paging, the source's NextToken
 * loop and cursors together).
 */
class CloudWatchMetricsPropertyTest {
  static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
  static AwsEmulator aws;
  static CloudWatchClient client;

  @BeforeContainer
  static void start() {
    aws = AwsEmulator.start("us-east-1");
    client = CloudWatchClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(aws.accessKeyId(),
            aws.secretAccessKey())))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterContainer
  static void stop() {
    client.close();
    aws.close();
  }

  @Property(tries = 40)
  void everySettledBucketArrivesOnceWithItsWholeSum(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 1799) Integer> offsets,
      @ForAll @IntRange(min = 1, max = 9) int pageSize,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 400) Integer> pollSteps,
      @ForAll @IntRange(min = 0, max = 180) int settleSeconds,
      @ForAll @IntRange(min = 1, max = 3) int services) {
    aws.cloudWatch().clear().setMaxDatapointsPerCall(pageSize);
    Map<String, TreeMap<Instant, Double>> expected = new TreeMap<>();
    List<Mapping> mappings = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      Map<String, String> dims = Map.of("ClusterName", "prod", "ServiceName", "svc" + s);
      mappings.add(Mapping.of("requests", "svc" + s, MetricQuery.of("AWS/ECS", "Requests", dims, "Sum")));
    }
    for (int j = 0; j < offsets.size(); j++) {
      String svc = "svc" + (j % services);
      Instant at = T0.plusSeconds(offsets.get(j));
      aws.cloudWatch().put("AWS/ECS", "Requests", Map.of("ClusterName", "prod", "ServiceName", svc), at, j + 1);
      Instant bucket = T0.plusSeconds(offsets.get(j) / 60 * 60L);
      expected.computeIfAbsent(svc, k -> new TreeMap<>()).merge(bucket, (double) (j + 1), Double::sum);
    }
    List<MetricSample> got = new ArrayList<>();
    CloudWatchMetrics source = CloudWatchMetrics.builder(client).addMappings(mappings)
        .setSettleDelay(Duration.ofSeconds(settleSeconds)).setLookback(Duration.ofHours(1)).build();
    source.attach(s -> got.add((MetricSample) s));

    Instant now = T0;
    List<Instant> polls = new ArrayList<>();
    for (int step : pollSteps) {
      now = now.plusSeconds(step);
      polls.add(now);
    }
    polls.add(T0.plus(Duration.ofMinutes(30)).plusSeconds(60 + settleSeconds));
    for (Instant at : polls) {
      source.poll(at);
      // after each poll: exactly the buckets settled by then, each once, each whole
      Map<String, TreeMap<Instant, Double>> delivered = new TreeMap<>();
      for (MetricSample s : got) {
        Double before = delivered.computeIfAbsent(s.service(), k -> new TreeMap<>()).put(s.timestamp(), s.value());
        assertThat(before).as("%s at %s delivered twice", s.service(), s.timestamp()).isNull();
      }
      Map<String, TreeMap<Instant, Double>> settled = new TreeMap<>();
      expected.forEach((svc, buckets) -> buckets.forEach((t, v) -> {
        if (!t.plusSeconds(60 + settleSeconds).isAfter(at)) {
          settled.computeIfAbsent(svc, k -> new TreeMap<>()).put(t, v);
        }
      }));
      assertThat(delivered).as("after the poll at %s", at).isEqualTo(settled);
    }
  }
}
