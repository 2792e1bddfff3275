package dev.sreagent.standalone;

import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.aws.AcmCertificates;
import dev.sreagent.aws.AcmRenewExecutor;
import dev.sreagent.aws.CloudWatchMetrics;
import dev.sreagent.aws.EcsAdapter;
import dev.sreagent.aws.SsmLogTruncateExecutor;
import dev.sreagent.core.execution.ExecutorPolicy;
import java.time.Duration;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.EcsClientBuilder;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The agent's hands on ECS for {@code run} ({@code aws.*} keys): the SDK's default credential chain (environment,
 * system properties, profile, web identity, the ECS task role, instance metadata), the region and clusters given, the
 * adapter's topology and executors, and with {@code aws.cloudwatch.ecs} the CPU and memory of every service read at
 * start from CloudWatch ({@link CloudWatchMetrics#ecsService}; services created later are not polled until a restart),
 * and with {@code aws.acm} the ACM certificates' time to expiry ({@link AcmCertificates}) and their renewal
 * ({@link AcmRenewExecutor}), and with {@code aws.ssm = truncate-logs} the log truncation on tagged EC2 hosts
 * ({@link SsmLogTruncateExecutor}).
 * Its executors run with a 12-minute time limit (their rollouts are awaited up to
 * 10 minutes).
 */
record EcsPlatform(EcsClient ecs, SdkHttpClient http, EcsAdapter adapter, String where,
    @Nullable CloudWatchClient cloudWatchClient, @Nullable CloudWatchMetrics cloudWatch, @Nullable AcmClient acm,
    @Nullable AcmCertificates certificates, @Nullable AcmRenewExecutor renewals, @Nullable SsmClient ssm,
    @Nullable SsmLogTruncateExecutor truncation) implements AutoCloseable {
  static final ExecutorPolicy ECS_EXECUTORS = ExecutorPolicy.defaults().withTimeout(Duration.ofMinutes(12));

  /**
   * Connects, checks the clusters and reads the services once.
   *
   * @throws IllegalArgumentException naming the region, the clusters or the credentials that failed, and the fix
   */
  static EcsPlatform connect(RunConfig c) {
    Region region = Region.of(c.awsRegion);
    SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
        .socketTimeout(Duration.ofSeconds(30)).build();
    AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    EcsClientBuilder b = EcsClient.builder().region(region).credentialsProvider(credentials).httpClient(http)
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)));
    if (c.awsEndpoint != null) {
      b.endpointOverride(c.awsEndpoint);
    }
    EcsClient ecs = b.build();
    String where = "ECS " + region.id() + (c.awsEndpoint == null ? "" : " at " + c.awsEndpoint) + ", clusters "
        + c.awsEcsClusters;
    EcsAdapter adapter = null;
    try {
      EcsAdapter.Builder ab = EcsAdapter.builder(ecs).setClusters(c.awsEcsClusters)
          .setServiceTag(c.awsEcsServiceTag);
      if (c.awsAutoScaling) {
        ab.setAutoScaling(http, credentials, region, c.awsEndpoint);
      } else {
        ab.setNoAutoScaling();
      }
      if (c.awsEcsExecutors != null) {
        ab.setExecutors(c.awsEcsExecutors);
      }
      adapter = ab.start();
      AcmClient acm = null;
      AcmCertificates certificates = null;
      AcmRenewExecutor renewals = null;
      if (!c.awsAcm.equals("off")) {
        var acmb = AcmClient.builder().region(region).credentialsProvider(credentials).httpClient(http)
            .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)));
        if (c.awsEndpoint != null) {
          acmb.endpointOverride(c.awsEndpoint);
        }
        acm = acmb.build();
        certificates = AcmCertificates.builder(acm).build();
        if (c.awsAcm.equals("renew")) {
          renewals = AcmRenewExecutor.builder(acm).build();
        }
      }
      SsmClient ssm = null;
      SsmLogTruncateExecutor truncation = null;
      if (c.awsSsmTruncate) {
        var ssmb = SsmClient.builder().region(region).credentialsProvider(credentials).httpClient(http)
            .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)));
        if (c.awsEndpoint != null) {
          ssmb.endpointOverride(c.awsEndpoint);
        }
        ssm = ssmb.build();
        SsmLogTruncateExecutor.Builder tb = SsmLogTruncateExecutor.builder(ssm);
        if (c.awsSsmNodeTag != null) {
          tb.setNodeTag(c.awsSsmNodeTag.get(0), c.awsSsmNodeTag.get(1));
        }
        truncation = tb.build();
      }
      java.util.List<CloudWatchMetrics.Mapping> mappings = new java.util.ArrayList<>();
      if (c.awsCloudWatchEcs) {
        adapter.topology().locations().forEach((name, at) ->
            mappings.addAll(CloudWatchMetrics.ecsService(at.cluster(), at.ecsService(), name)));
      }
      c.awsAlbTargets.forEach((service, lbAndTg) ->
          mappings.addAll(CloudWatchMetrics.albTargetGroup(lbAndTg.get(0), lbAndTg.get(1), service)));
      if (mappings.isEmpty()) {
        return new EcsPlatform(ecs, http, adapter, where, null, null, acm, certificates, renewals, ssm, truncation);
      }
      CloudWatchClientBuilder cb = CloudWatchClient.builder().region(region).credentialsProvider(credentials)
          .httpClient(http).overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)));
      if (c.awsEndpoint != null) {
        cb.endpointOverride(c.awsEndpoint);
      }
      CloudWatchClient cw = cb.build();
      return new EcsPlatform(ecs, http, adapter, where, cw, CloudWatchMetrics.builder(cw)
          .setInterval(c.awsCloudWatchInterval).addMappings(mappings).build(), acm, certificates, renewals, ssm,
          truncation);
    } catch (SdkException e) {
      if (adapter != null) {
        adapter.close();
      }
      close(ecs, http);
      throw new IllegalArgumentException(where + " answered: " + e.getMessage() + " (check the credentials the"
          + " AWS SDK's default chain finds, aws.region, and the IAM policy in sre-agent-aws's"
          + " iam/sre-agent-ecs.json)", e);
    } catch (RuntimeException e) {
      if (adapter != null) {
        adapter.close();
      }
      close(ecs, http);
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The agent's hands on an {@code AwsEmulator} (for {@code demo --platform ecs}): the adapter, the ACM renewal and
   * the SSM log truncation over SDK clients with the emulator's keys, region and endpoint, on the simulation's clock.
   */
  static dev.sreagent.testkit.aws.EcsPlatform.Hands emulated(dev.sreagent.testkit.aws.AwsEmulator aws,
      dev.sreagent.api.port.Clock clock) {
    AwsCredentialsProvider credentials = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(30)).build();
    EcsClient ecs = EcsClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials).httpClient(http).build();
    EcsAdapter adapter = EcsAdapter.builder(ecs).setClusters(java.util.List.of(
            dev.sreagent.testkit.aws.EcsSimulation.CLUSTER)).setClock(clock)
        .setAutoScaling(http, credentials, Region.of(aws.region()), aws.endpoint())
        .setRefreshInterval(Duration.ofHours(1)).start();
    AcmClient acm = AcmClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials).httpClient(http).build();
    java.util.List<ActionExecutor> executors = new java.util.ArrayList<>(adapter.executors());
    executors.add(AcmRenewExecutor.builder(acm).setClock(clock).build());
    SsmClient ssm = SsmClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials).httpClient(http).build();
    executors.add(SsmLogTruncateExecutor.builder(ssm).setClock(clock).build());
    return new dev.sreagent.testkit.aws.EcsPlatform.Hands(() -> adapter.topology().topology(),
        adapter.topology()::refresh, executors, adapter, ecs, acm, ssm, http);
  }

  /** The start line's description: services, executors and CloudWatch. */
  String describe() {
    return adapter.topology().topology().services().size() + " services, executors "
        + (adapter.executors().isEmpty() ? "none (observe only)"
            : adapter.executors().stream().map(ActionExecutor::name).collect(Collectors.joining(", ")))
        + (renewals == null ? "" : ", acm-renew")
        + (truncation == null ? "" : ", " + truncation.name() + " (" + taggedHosts() + ")")
        + (cloudWatch == null ? "" : "; CloudWatch: " + cloudWatch.mappings().size() + " metrics of "
            + cloudWatch.mappings().stream().map(CloudWatchMetrics.Mapping::service).distinct().count() + " services")
        + (certificates == null ? "" : "; ACM certificates' time to expiry");
  }

  private String taggedHosts() {
    try {
      int n = truncation.taggedNodes().size();
      return n + " host" + (n == 1 ? "" : "s") + " tagged" + (n == 0 ? ": none can be commanded until tagged" : "");
    } catch (SdkException e) {
      return "its hosts could not be listed: " + e.getMessage();
    }
  }

  private static void close(EcsClient ecs, SdkHttpClient http) {
    try {
      ecs.close();
    } finally {
      http.close();
    }
  }

  @Override
  public void close() {
    try {
      if (cloudWatch != null) {
        cloudWatch.close();
      }
      if (cloudWatchClient != null) {
        cloudWatchClient.close();
      }
      if (certificates != null) {
        certificates.close();
      }
      if (acm != null) {
        acm.close();
      }
      if (ssm != null) {
        ssm.close();
      }
      adapter.close();
    } finally {
      close(ecs, http);
    }
  }
}
