package dev.sreagent.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;
import software.amazon.awssdk.regions.Region;

/**
 * The two Application Auto Scaling calls the scale executor needs ({@code DescribeScalableTargets},
 * {@code RegisterScalableTarget} for {@code ecs:service:DesiredCount}), made as signed JSON 1.1 requests with the
 * SDK's own SigV4 signer and HTTP client: the SDK's {@code applicationautoscaling} client is not among the artifacts
 * this build can resolve, and two calls do not need it.
 */
final class ScalableTargets {
  /** A scalable target of an ECS service's desired count. */
  record Target(String resourceId, int min, int max) {}

  private final SdkHttpClient http;
  private final AwsCredentialsProvider credentials;
  private final Region region;
  private final URI endpoint;

  ScalableTargets(SdkHttpClient http, AwsCredentialsProvider credentials, Region region, @Nullable URI endpoint) {
    this.http = Objects.requireNonNull(http, "http");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.region = Objects.requireNonNull(region, "region");
    this.endpoint = endpoint != null ? endpoint
        : URI.create("https://application-autoscaling." + region.id() + ".amazonaws.com");
  }

  static String resourceId(String cluster, String service) {
    return "service/" + cluster + "/" + service;
  }

  /** The scalable target of the service's desired count, if Application Auto Scaling manages it. */
  Optional<Target> find(String cluster, String service) {
    String id = resourceId(cluster, service);
    JsonNode out = call("DescribeScalableTargets", "{\"ServiceNamespace\":\"ecs\",\"ScalableDimension\":"
        + "\"ecs:service:DesiredCount\",\"ResourceIds\":[" + quote(id) + "]}", "sre-agent");
    for (JsonNode t : out.field("ScalableTargets").map(JsonNode::asArray).orElse(java.util.List.of())) {
      if (t.field("ResourceId").map(JsonNode::text).orElse("").equals(id)) {
        return Optional.of(new Target(id, number(t, "MinCapacity"), number(t, "MaxCapacity")));
      }
    }
    return Optional.empty();
  }

  /** Sets the scalable target's minimum capacity (its maximum unchanged), the change's key in the User-Agent. */
  void setMinimum(String cluster, String service, int min, String key) {
    call("RegisterScalableTarget", "{\"ServiceNamespace\":\"ecs\",\"ScalableDimension\":"
        + "\"ecs:service:DesiredCount\",\"ResourceId\":" + quote(resourceId(cluster, service)) + ",\"MinCapacity\":"
        + min + "}", EcsExecutor.USER_AGENT_KEY + "/" + key);
  }

  private static int number(JsonNode n, String field) {
    return n.field(field).map(v -> Integer.parseInt(v.asNumber())).orElse(0);
  }

  private JsonNode call(String operation, String body, String userAgent) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
        .encodedPath("/").putHeader("Host", host)
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "AnyScaleFrontendService." + operation).putHeader("User-Agent", userAgent).build();
    AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
        .payload(ContentStreamProvider.fromByteArray(bytes))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "application-autoscaling")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
    try {
      HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
          .contentStreamProvider(signed.payload().orElse(null)).build()).call();
      byte[] answer;
      try (InputStream in = response.responseBody().map(s -> (InputStream) s).orElse(InputStream.nullInputStream())) {
        answer = in.readAllBytes();
      }
      JsonNode json = answer.length == 0 ? JsonNode.parser().parse("{}") : JsonNodeParser.create().parse(answer);
      int status = response.httpResponse().statusCode();
      if (status / 100 != 2) {
        String type = json.field("__type").map(JsonNode::text).orElse("HTTP " + status);
        throw new AwsCallException(status, type.substring(type.indexOf('#') + 1),
            json.field("message").or(() -> json.field("Message")).map(JsonNode::text).orElse(""),
            "Application Auto Scaling " + operation);
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("Application Auto Scaling " + operation + ": " + e.getMessage(), e);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
