package dev.sreagent.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the emulator's SigV4 check over real HTTP, with requests signed by hand (so each part of the signature
 * can be bent): what AWS refuses must be refused. A test marked {@code @Disabled("DEFECT: ...")} fails on the code it
 * was written against.
 */
class EmulatorAdversarialTest {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String ECS = "AmazonEC2ContainerServiceV20141113.";

  private AwsEmulator aws;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("us-east-1");
    aws.ecs().createCluster("shop").registerTaskDefinition("checkout", "shop/checkout:1");
    aws.ecs().createService("shop", "checkout", "checkout:1", 2);
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  /** How to bend one request. */
  private record Bend(String service, String region, Instant signedAt, String dateScope, String payloadHash,
      boolean signContentSha, String sentBody, String sentTarget) {}

  private Bend honest(String body, String target) {
    Instant now = Instant.now();
    return new Bend("ecs", aws.region(), now, AMZ_DATE.format(now).substring(0, 8),
        SigV4.hex(SigV4.sha256(body.getBytes(StandardCharsets.UTF_8))), false, body, target);
  }

  /** Signs {@code body} for {@code target} as bent, then sends {@code b.sentBody} with {@code b.sentTarget}. */
  private HttpResponse<String> send(String target, String body, Bend b) throws Exception {
    URI endpoint = aws.endpoint();
    String amzDate = AMZ_DATE.format(b.signedAt());
    Map<String, String> signed = new TreeMap<>();
    signed.put("content-type", "application/x-amz-json-1.1");
    signed.put("host", endpoint.getHost() + ":" + endpoint.getPort());
    signed.put("x-amz-date", amzDate);
    signed.put("x-amz-target", target);
    if (b.signContentSha()) {
      signed.put("x-amz-content-sha256", b.payloadHash());
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    signed.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v).append('\n'));
    String signedHeaders = String.join(";", signed.keySet());
    String canonical = "POST\n/\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + b.payloadHash();
    SigV4.Credential c = new SigV4.Credential(aws.accessKeyId(), b.dateScope(), b.region(), b.service());
    String signature = SigV4.signature(aws.secretAccessKey(), c, amzDate, canonical);
    String auth = "AWS4-HMAC-SHA256 Credential=" + aws.accessKeyId() + "/" + b.dateScope() + "/" + b.region() + "/"
        + b.service() + "/aws4_request, SignedHeaders=" + signedHeaders + ", Signature=" + signature;
    HttpRequest.Builder r = HttpRequest.newBuilder(endpoint.resolve("/"))
        .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Date", amzDate)
        .header("X-Amz-Target", b.sentTarget()).header("Authorization", auth)
        .POST(HttpRequest.BodyPublishers.ofString(b.sentBody()));
    if (b.signContentSha()) {
      r.header("X-Amz-Content-Sha256", b.payloadHash());
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String DESCRIBE = "{\"clusters\":[\"shop\"]}";
  private static final String SCALE = "{\"cluster\":\"shop\",\"service\":\"checkout\",\"desiredCount\":7}";

  @Test
  void anHonestRequestIsAccepted() throws Exception {
    HttpResponse<String> r = send(ECS + "DescribeClusters", DESCRIBE, honest(DESCRIBE, ECS + "DescribeClusters"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"clusterName\":\"shop\"");
  }

  @Test
  void whatAwsRefusesTheEmulatorRefuses() throws Exception {
    Bend h = honest(SCALE, ECS + "UpdateService");
    // a body swapped after signing
    Bend swapped = new Bend(h.service(), h.region(), h.signedAt(), h.dateScope(), h.payloadHash(), false,
        SCALE.replace("7", "70"), h.sentTarget());
    assertThat(send(ECS + "UpdateService", SCALE, swapped).statusCode()).isEqualTo(403);
    // a signed DescribeServices replayed as another operation
    Bend retargeted = new Bend(h.service(), h.region(), h.signedAt(), h.dateScope(), h.payloadHash(), false,
        SCALE, ECS + "StopTask");
    assertThat(send(ECS + "UpdateService", SCALE, retargeted).statusCode()).isEqualTo(403);
    // another region, a date scope that is not the request's day, a signature 6 minutes old
    Bend region = new Bend(h.service(), "eu-west-1", h.signedAt(), h.dateScope(), h.payloadHash(), false, SCALE,
        h.sentTarget());
    assertThat(send(ECS + "UpdateService", SCALE, region).statusCode()).isEqualTo(403);
    Bend day = new Bend(h.service(), h.region(), h.signedAt(), "20200101", h.payloadHash(), false, SCALE,
        h.sentTarget());
    assertThat(send(ECS + "UpdateService", SCALE, day).statusCode()).isIn(400, 403);
    Instant old = Instant.now().minusSeconds(360);
    Bend late = new Bend(h.service(), h.region(), old, AMZ_DATE.format(old).substring(0, 8), h.payloadHash(), false,
        SCALE, h.sentTarget());
    HttpResponse<String> expired = send(ECS + "UpdateService", SCALE, late);
    assertThat(expired.statusCode()).isIn(400, 403);
    assertThat(expired.body()).contains("Signature expired");
    assertThat(aws.calls()).isEmpty();
    assertThat(aws.ecs().service("shop", "checkout").desiredCount()).isEqualTo(2);
  }

  @Test
  void aSignatureScopedToAnotherServiceIsRefused() throws Exception {
    Bend h = honest(SCALE, ECS + "UpdateService");
    Bend s3 = new Bend("s3", h.region(), h.signedAt(), h.dateScope(), h.payloadHash(), false, SCALE,
        h.sentTarget());
    HttpResponse<String> r = send(ECS + "UpdateService", SCALE, s3);
    assertThat(r.statusCode()).as(r.body()).isIn(400, 403);
    assertThat(aws.ecs().service("shop", "checkout").desiredCount()).isEqualTo(2);
  }

  @Test
  void anUnsignedPayloadIsRefusedOutsideS3() throws Exception {
    Bend h = honest(SCALE, ECS + "UpdateService");
    Bend unsigned = new Bend(h.service(), h.region(), h.signedAt(), h.dateScope(), "UNSIGNED-PAYLOAD", true,
        SCALE, h.sentTarget());
    HttpResponse<String> r = send(ECS + "UpdateService", SCALE, unsigned);
    assertThat(r.statusCode()).as(r.body()).isIn(400, 403);
    assertThat(aws.ecs().service("shop", "checkout").desiredCount()).isEqualTo(2);
  }
}
