package dev.sreagent.aws;

import dev.sreagent.testkit.aws.AwsEmulator;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The real SDK clients pointed at an {@link AwsEmulator}: static keys, its region, no default chain. */
final class Emulated {
  /** Real time, but every wait is 5 ms: executors' polls run fast without a virtual clock. */
  static final dev.sreagent.api.port.Clock FAST = new dev.sreagent.api.port.Clock() {
    @Override
    public java.time.Instant now() {
      return java.time.Instant.now();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
      Thread.sleep(5);
    }
  };

  private Emulated() {}

  /** A context for {@code incident} whose key is {@code key} repeated to 64 characters. */
  static dev.sreagent.api.model.ExecutionContext context(String incident, String key, long token, boolean dryRun) {
    return new dev.sreagent.api.model.ExecutionContext(incident, key.repeat(64 / key.length()), token, dryRun);
  }

  static StaticCredentialsProvider credentials(AwsEmulator aws) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
  }

  static SdkHttpClient http() {
    return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(10)).build();
  }

  /** An ECS client without SDK retries and with a 1.5 s call timeout (so a delayed answer is a timeout). */
  static EcsClient ecs(AwsEmulator aws, StaticCredentialsProvider credentials) {
    return EcsClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials).httpClient(http())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(Duration.ofMillis(1500)))
        .build();
  }

  static EcsClient ecs(AwsEmulator aws) {
    return ecs(aws, credentials(aws));
  }

  /** An ACM client like {@link #ecs(AwsEmulator)}: no SDK retries, a 1.5 s call timeout. */
  static AcmClient acm(AwsEmulator aws) {
    return AcmClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials(aws)).httpClient(http())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(Duration.ofMillis(1500)))
        .build();
  }

  /**
   * An SSM client without SDK retries and with a {@link #SSM_CALL_TIMEOUT} call timeout: longer than the ECS and ACM
   * clients' 1.5 s, since the emulated hosts fork a real {@code sh} inside {@code SendCommand}, which a loaded machine
   * can make slow; a delay of {@link #SSM_LOST_ANSWER} makes an answer lost.
   */
  static SsmClient ssm(AwsEmulator aws) {
    return SsmClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .credentialsProvider(credentials(aws)).httpClient(http())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(SSM_CALL_TIMEOUT))
        .build();
  }

  /** The SSM client's call timeout. */
  static final Duration SSM_CALL_TIMEOUT = Duration.ofSeconds(5);
  /** An SSM answer delayed this long is lost to the client. */
  static final Duration SSM_LOST_ANSWER = Duration.ofSeconds(7);
}
