package dev.sreagent.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.testkit.aws.SsmEmulation.Execution;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SSM Run Command emulation over real HTTP, with requests signed by hand (SigV4, signing name {@code ssm}) as the
 * SDK's {@code SsmClient} signs them: commands run, show their results after the in-progress reads, wait for
 * offline nodes or time out on the state clock, and every refusal is AWS's error code.
 */
class SsmEmulationTest {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String WEB = "i-0123456789abcdef0";
  private static final String DB = "i-0fedcba9876543210";
  private static final String ONPREM = "mi-0123456789abcdef0";
  private static final Instant T0 = Instant.parse("2030-03-01T10:00:00Z");

  private AwsEmulator aws;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  /** What the web node's shell was asked to run, one entry per run. */
  private final List<List<String>> webRuns = new CopyOnWriteArrayList<>();
  private final AtomicReference<Execution> webAnswer = new AtomicReference<>(new Execution(0, "active\n", ""));

  @BeforeEach
  void start() {
    aws = AwsEmulator.start("us-east-1");
    aws.setStateClock(now::get);
    aws.ssm().addNode(WEB, "web-1.internal", "10.0.1.10", Map.of("env", "prod", "role", "web"), (id, commands) -> {
      webRuns.add(commands);
      return webAnswer.get();
    });
    aws.ssm().addNode(DB, "db-1.internal", "10.0.2.20", Map.of("env", "staging", "role", "db"),
        (id, commands) -> new Execution(0, "db ok", ""));
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  /** An answer: HTTP status and body. */
  private record Answer(int status, JsonNode body) {
    String code() {
      return body.path("__type").asText();
    }
  }

  private Answer call(String operation, String json) throws Exception {
    return parse(send("AmazonSSM." + operation, json, "ssm", true));
  }

  private Answer parse(HttpResponse<String> r) throws Exception {
    return new Answer(r.statusCode(), Json11.MAPPER.readTree(r.body().isEmpty() ? "{}" : r.body()));
  }

  /** Sends {@code body} to {@code target}, signed for {@code service} (or not signed at all). */
  private HttpResponse<String> send(String target, String body, String service, boolean sign) throws Exception {
    URI endpoint = aws.endpoint();
    Instant at = Instant.now();
    String amzDate = AMZ_DATE.format(at);
    String day = amzDate.substring(0, 8);
    HttpRequest.Builder r = HttpRequest.newBuilder(endpoint.resolve("/"))
        .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Date", amzDate)
        .header("X-Amz-Target", target).POST(HttpRequest.BodyPublishers.ofString(body));
    if (sign) {
      Map<String, String> signed = new TreeMap<>();
      signed.put("content-type", "application/x-amz-json-1.1");
      signed.put("host", endpoint.getHost() + ":" + endpoint.getPort());
      signed.put("x-amz-date", amzDate);
      signed.put("x-amz-target", target);
      StringBuilder canonicalHeaders = new StringBuilder();
      signed.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v).append('\n'));
      String signedHeaders = String.join(";", signed.keySet());
      String canonical = "POST\n/\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n"
          + SigV4.hex(SigV4.sha256(body.getBytes(StandardCharsets.UTF_8)));
      SigV4.Credential c = new SigV4.Credential(aws.accessKeyId(), day, aws.region(), service);
      String signature = SigV4.signature(aws.secretAccessKey(), c, amzDate, canonical);
      r.header("Authorization", "AWS4-HMAC-SHA256 Credential=" + aws.accessKeyId() + "/" + day + "/"
          + aws.region() + "/" + service + "/aws4_request, SignedHeaders=" + signedHeaders + ", Signature="
          + signature);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String sendBody(String instanceId, String... commands) {
    ObjectNode in = Json11.MAPPER.createObjectNode().put("DocumentName", "AWS-RunShellScript");
    in.putArray("InstanceIds").add(instanceId);
    ArrayNode lines = in.putObject("Parameters").putArray("commands");
    for (String c : commands) {
      lines.add(c);
    }
    return in.toString();
  }

  private String sent(String body) throws Exception {
    Answer a = call("SendCommand", body);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a.body().path("Command").path("CommandId").asText();
  }

  private Answer invocation(String commandId, String instanceId) throws Exception {
    return call("GetCommandInvocation", "{\"CommandId\":\"" + commandId + "\",\"InstanceId\":\"" + instanceId
        + "\"}");
  }

  private String status(String commandId, String instanceId) throws Exception {
    Answer a = invocation(commandId, instanceId);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a.body().path("Status").asText();
  }

  @Test
  void aCommandRunsAtSendAndItsResultShowsAfterTheInProgressReads() throws Exception {
    Answer sent = call("SendCommand", "{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"" + WEB + "\"],"
        + "\"Comment\":\"restart nginx\",\"TimeoutSeconds\":600,\"Parameters\":{\"commands\":[\"systemctl restart"
        + " nginx\",\"systemctl is-active nginx\"],\"executionTimeout\":[\"120\"]}}");

    assertThat(sent.status()).as(sent.body().toString()).isEqualTo(200);
    JsonNode command = sent.body().path("Command");
    String id = command.path("CommandId").asText();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(command.path("Status").asText()).isEqualTo("Pending");
    assertThat(command.path("DocumentName").asText()).isEqualTo("AWS-RunShellScript");
    assertThat(command.path("Comment").asText()).isEqualTo("restart nginx");
    assertThat(command.path("TimeoutSeconds").asInt()).isEqualTo(600);
    assertThat(command.path("TargetCount").asInt()).isEqualTo(1);
    assertThat(command.path("CompletedCount").asInt()).isZero();
    assertThat(command.path("RequestedDateTime").asDouble()).isEqualTo(T0.getEpochSecond());
    assertThat(command.path("InstanceIds").get(0).asText()).isEqualTo(WEB);
    assertThat(command.path("Parameters").toString())
        .isEqualTo("{\"commands\":[\"systemctl restart nginx\",\"systemctl is-active nginx\"],"
            + "\"executionTimeout\":[\"120\"]}");
    assertThat(webRuns).containsExactly(List.of("systemctl restart nginx", "systemctl is-active nginx"));

    Answer first = invocation(id, WEB);
    assertThat(first.body().path("Status").asText()).isEqualTo("InProgress");
    assertThat(first.body().path("StatusDetails").asText()).isEqualTo("InProgress");
    assertThat(first.body().path("ResponseCode").asInt()).isEqualTo(-1);
    assertThat(first.body().path("StandardOutputContent").asText()).isEmpty();
    assertThat(first.body().path("ExecutionEndDateTime").asText()).isEmpty();

    Answer done = invocation(id, WEB);
    JsonNode b = done.body();
    assertThat(b.path("Status").asText()).isEqualTo("Success");
    assertThat(b.path("StatusDetails").asText()).isEqualTo("Success");
    assertThat(b.path("ResponseCode").asInt()).isZero();
    assertThat(b.path("StandardOutputContent").asText()).isEqualTo("active\n");
    assertThat(b.path("StandardErrorContent").asText()).isEmpty();
    assertThat(b.path("CommandId").asText()).isEqualTo(id);
    assertThat(b.path("InstanceId").asText()).isEqualTo(WEB);
    assertThat(b.path("DocumentName").asText()).isEqualTo("AWS-RunShellScript");
    assertThat(b.path("PluginName").asText()).isEqualTo("aws:runShellScript");
    assertThat(b.path("Comment").asText()).isEqualTo("restart nginx");
    assertThat(b.path("ExecutionStartDateTime").asText()).isEqualTo("2030-03-01T10:00:00.000Z");
    assertThat(b.path("ExecutionEndDateTime").asText()).isEqualTo("2030-03-01T10:00:00.000Z");
    assertThat(status(id, WEB)).isEqualTo("Success");
    assertThat(webRuns).hasSize(1);

    assertThat(aws.ssm().invocations()).containsExactly(new SsmEmulation.Invocation(id, WEB, "AWS-RunShellScript",
        "restart nginx", List.of("systemctl restart nginx", "systemctl is-active nginx"), "Success", "Success", 0,
        "active\n", "", T0));
    assertThat(aws.calls("SendCommand")).hasSize(1);
  }

  @Test
  void completionPollsSetHowManyReadsAnswerInProgress() throws Exception {
    aws.ssm().setCompletionPolls(3);
    String id = sent(sendBody(WEB, "uptime"));
    assertThat(status(id, WEB)).isEqualTo("InProgress");
    assertThat(status(id, WEB)).isEqualTo("InProgress");
    assertThat(status(id, WEB)).isEqualTo("InProgress");
    assertThat(status(id, WEB)).isEqualTo("Success");

    aws.ssm().setCompletionPolls(0);
    String next = sent(sendBody(WEB, "uptime"));
    assertThat(status(next, WEB)).isEqualTo("Success");
  }

  @Test
  void aFailingShellFailsItsInvocationWithItsExitCodeAndOutputCutAsSsmCutsIt() throws Exception {
    webAnswer.set(new Execution(3, "o".repeat(30_000), "e".repeat(9_000)));
    String id = sent(sendBody(WEB, "false"));
    assertThat(status(id, WEB)).isEqualTo("InProgress");

    JsonNode b = invocation(id, WEB).body();
    assertThat(b.path("Status").asText()).isEqualTo("Failed");
    assertThat(b.path("StatusDetails").asText()).isEqualTo("Failed");
    assertThat(b.path("ResponseCode").asInt()).isEqualTo(3);
    assertThat(b.path("StandardOutputContent").asText()).hasSize(24_000);
    assertThat(b.path("StandardErrorContent").asText()).hasSize(8_000);
    SsmEmulation.Invocation seen = aws.ssm().invocations().get(0);
    assertThat(seen.status()).isEqualTo("Failed");
    assertThat(seen.responseCode()).isEqualTo(3);
    assertThat(seen.stdout()).hasSize(30_000);

    JsonNode listed = call("ListCommands", "{\"CommandId\":\"" + id + "\"}").body().path("Commands").get(0);
    assertThat(listed.path("Status").asText()).isEqualTo("Failed");
    assertThat(listed.path("ErrorCount").asInt()).isEqualTo(1);
    assertThat(listed.path("CompletedCount").asInt()).isEqualTo(1);
  }

  @Test
  void aShellThatThrowsFailsItsInvocation() throws Exception {
    aws.ssm().addNode("i-0aaaaaaaaaaaaaaaa", "broken", "10.0.9.9", Map.of(), (id, c) -> {
      throw new IllegalStateException("boom");
    }).setCompletionPolls(0);
    String id = sent(sendBody("i-0aaaaaaaaaaaaaaaa", "true"));
    JsonNode b = invocation(id, "i-0aaaaaaaaaaaaaaaa").body();
    assertThat(b.path("Status").asText()).isEqualTo("Failed");
    assertThat(b.path("ResponseCode").asInt()).isEqualTo(1);
    assertThat(b.path("StandardErrorContent").asText()).contains("boom");
  }

  @Test
  void aNewInvocationDoesNotExistForTheLagReads() throws Exception {
    aws.ssm().setInvocationLag(2);
    String id = sent(sendBody(WEB, "uptime"));
    for (int k = 0; k < 2; k++) {
      Answer a = invocation(id, WEB);
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.code()).isEqualTo("InvocationDoesNotExist");
    }
    assertThat(status(id, WEB)).isEqualTo("InProgress");
    assertThat(status(id, WEB)).isEqualTo("Success");
    Answer other = invocation(id, DB);
    assertThat(other.status()).isEqualTo(400);
    assertThat(other.code()).isEqualTo("InvocationDoesNotExist");
  }

  @Test
  void aCommandToAnOfflineNodeIsDeliveredWhenItIsBackOnline() throws Exception {
    aws.ssm().setPingStatus(WEB, "ConnectionLost");
    String id = sent(sendBody(WEB, "uptime"));
    JsonNode pending = invocation(id, WEB).body();
    assertThat(pending.path("Status").asText()).isEqualTo("Pending");
    assertThat(pending.path("StatusDetails").asText()).isEqualTo("Pending");
    assertThat(pending.path("ResponseCode").asInt()).isEqualTo(-1);
    assertThat(pending.path("ExecutionStartDateTime").asText()).isEmpty();
    assertThat(status(id, WEB)).isEqualTo("Pending");
    assertThat(webRuns).isEmpty();
    JsonNode node = call("DescribeInstanceInformation", "{\"Filters\":[{\"Key\":\"InstanceIds\",\"Values\":[\""
        + WEB + "\"]}]}").body().path("InstanceInformationList").get(0);
    assertThat(node.path("PingStatus").asText()).isEqualTo("ConnectionLost");

    now.set(T0.plusSeconds(1800));
    aws.ssm().setPingStatus(WEB, "Online");
    assertThat(webRuns).containsExactly(List.of("uptime"));
    JsonNode running = invocation(id, WEB).body();
    assertThat(running.path("Status").asText()).isEqualTo("InProgress");
    assertThat(running.path("ExecutionStartDateTime").asText()).isEqualTo("2030-03-01T10:30:00.000Z");
    assertThat(status(id, WEB)).isEqualTo("Success");
  }

  @Test
  void aCommandToAnOfflineNodeTimesOutOnTheStateClock() throws Exception {
    aws.ssm().setPingStatus(WEB, "ConnectionLost");
    String id = sent("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"" + WEB + "\"],"
        + "\"TimeoutSeconds\":60,\"Parameters\":{\"commands\":[\"uptime\"]}}");
    now.set(T0.plusSeconds(60));
    assertThat(status(id, WEB)).isEqualTo("Pending");
    now.set(T0.plusSeconds(61));
    JsonNode b = invocation(id, WEB).body();
    assertThat(b.path("Status").asText()).isEqualTo("TimedOut");
    assertThat(b.path("StatusDetails").asText()).isEqualTo("DeliveryTimedOut");
    assertThat(b.path("ResponseCode").asInt()).isEqualTo(-1);

    aws.ssm().setPingStatus(WEB, "Online");
    assertThat(webRuns).isEmpty();
    assertThat(status(id, WEB)).isEqualTo("TimedOut");
    JsonNode listed = call("ListCommands", "{\"CommandId\":\"" + id + "\"}").body().path("Commands").get(0);
    assertThat(listed.path("Status").asText()).isEqualTo("TimedOut");
    assertThat(listed.path("StatusDetails").asText()).isEqualTo("DeliveryTimedOut");
    assertThat(listed.path("DeliveryTimedOutCount").asInt()).isEqualTo(1);
    assertThat(listed.path("CompletedCount").asInt()).isEqualTo(1);
    assertThat(aws.ssm().invocations().get(0).status()).isEqualTo("TimedOut");
  }

  @Test
  void aHeldCommandStaysInProgressWithoutRunningUntilReleased() throws Exception {
    aws.ssm().holdCommands(true);
    String id = sent(sendBody(WEB, "sleep 600"));
    for (int k = 0; k < 4; k++) {
      assertThat(status(id, WEB)).isEqualTo("InProgress");
    }
    assertThat(webRuns).isEmpty();
    assertThat(aws.ssm().invocations().get(0).status()).isEqualTo("InProgress");

    now.set(T0.plusSeconds(7200));
    assertThat(status(id, WEB)).as("delivered: the delivery timeout no longer applies").isEqualTo("InProgress");
    aws.ssm().holdCommands(false);
    aws.ssm().releaseCommands();
    assertThat(webRuns).containsExactly(List.of("sleep 600"));
    assertThat(status(id, WEB)).isEqualTo("InProgress");
    assertThat(status(id, WEB)).isEqualTo("Success");
  }

  @Test
  void describeInstanceInformationFiltersOnTagsAndPages() throws Exception {
    for (int k = 0; k < 5; k++) {
      aws.ssm().addNode("i-0b0000000000000" + k + "0", "batch-" + k, "10.0.3." + k,
          Map.of("role", "batch", "team-" + k, "x"), (id, c) -> new Execution(0, "", ""));
    }
    aws.ssm().addNode(ONPREM, "rack-7", "192.168.7.7", Map.of("env", "prod"), (id, c) -> new Execution(0, "", ""));
    aws.ssm().setPingStatus(DB, "ConnectionLost");

    assertThat(ids(call("DescribeInstanceInformation",
        "{\"Filters\":[{\"Key\":\"tag:env\",\"Values\":[\"prod\"]}]}"))).containsExactly(WEB, ONPREM);
    assertThat(ids(call("DescribeInstanceInformation",
        "{\"Filters\":[{\"Key\":\"tag:env\",\"Values\":[\"prod\",\"staging\"]},"
            + "{\"Key\":\"ResourceType\",\"Values\":[\"EC2Instance\"]}]}"))).containsExactly(WEB, DB);
    assertThat(ids(call("DescribeInstanceInformation",
        "{\"Filters\":[{\"Key\":\"tag-key\",\"Values\":[\"team-1\",\"team-3\"]}]}")))
        .containsExactly("i-0b000000000000010", "i-0b000000000000030");
    assertThat(ids(call("DescribeInstanceInformation",
        "{\"Filters\":[{\"Key\":\"PingStatus\",\"Values\":[\"ConnectionLost\"]}]}"))).containsExactly(DB);
    assertThat(ids(call("DescribeInstanceInformation",
        "{\"Filters\":[{\"Key\":\"PlatformTypes\",\"Values\":[\"Windows\"]}]}"))).isEmpty();

    JsonNode onprem = call("DescribeInstanceInformation", "{\"Filters\":[{\"Key\":\"InstanceIds\",\"Values\":[\""
        + ONPREM + "\"]}]}").body().path("InstanceInformationList").get(0);
    assertThat(onprem.path("ResourceType").asText()).isEqualTo("ManagedInstance");
    assertThat(onprem.path("ComputerName").asText()).isEqualTo("rack-7");
    assertThat(onprem.path("IPAddress").asText()).isEqualTo("192.168.7.7");
    assertThat(onprem.path("PlatformType").asText()).isEqualTo("Linux");
    assertThat(onprem.path("PingStatus").asText()).isEqualTo("Online");
    assertThat(onprem.path("LastPingDateTime").asDouble()).isEqualTo(T0.getEpochSecond());
    assertThat(onprem.path("IsLatestVersion").asBoolean()).isTrue();
    assertThat(onprem.path("AgentVersion").asText()).isNotEmpty();

    Answer first = call("DescribeInstanceInformation", "{\"MaxResults\":5}");
    assertThat(ids(first)).containsExactly(WEB, DB, "i-0b000000000000000", "i-0b000000000000010",
        "i-0b000000000000020");
    String token = first.body().path("NextToken").asText();
    assertThat(token).isNotEmpty();
    Answer second = call("DescribeInstanceInformation", "{\"MaxResults\":5,\"NextToken\":\"" + token + "\"}");
    assertThat(ids(second)).containsExactly("i-0b000000000000030", "i-0b000000000000040", ONPREM);
    assertThat(second.body().has("NextToken")).isFalse();
    Answer asList = call("ListCommands", "{\"NextToken\":\"" + token + "\"}");
    assertThat(asList.status()).isEqualTo(400);
    assertThat(asList.code()).isEqualTo("InvalidNextToken");
  }

  private static List<String> ids(Answer a) {
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    a.body().path("InstanceInformationList").forEach(n -> out.add(n.path("InstanceId").asText()));
    return out;
  }

  private static List<String> commandIds(Answer a) {
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    a.body().path("Commands").forEach(n -> out.add(n.path("CommandId").asText()));
    return out;
  }

  @Test
  void listCommandsNewestFirstByInstanceAndTimeWithTheParametersAsSent() throws Exception {
    aws.ssm().setPingStatus(DB, "ConnectionLost");
    String first = sent(sendBody(WEB, "echo one"));
    now.set(T0.plusSeconds(600));
    String onDb = sent(sendBody(DB, "echo db"));
    now.set(T0.plusSeconds(1200));
    String third = sent("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"" + WEB + "\"],"
        + "\"Parameters\":{\"workingDirectory\":[\"/tmp\"],\"commands\":[\"echo three\"],"
        + "\"executionTimeout\":[\"30\"]}}");

    Answer web = call("ListCommands", "{\"InstanceId\":\"" + WEB + "\"}");
    assertThat(commandIds(web)).containsExactly(third, first);
    JsonNode newest = web.body().path("Commands").get(0);
    assertThat(newest.path("Parameters").toString()).isEqualTo("{\"workingDirectory\":[\"/tmp\"],"
        + "\"commands\":[\"echo three\"],\"executionTimeout\":[\"30\"]}");
    assertThat(newest.path("RequestedDateTime").asDouble()).isEqualTo(T0.getEpochSecond() + 1200);
    assertThat(newest.path("Status").asText()).as("the first read of it").isEqualTo("InProgress");
    assertThat(status(third, WEB)).as("the list was the one in-progress read").isEqualTo("Success");
    assertThat(call("ListCommands", "{\"CommandId\":\"" + third + "\"}").body().path("Commands").get(0)
        .path("Status").asText()).isEqualTo("Success");

    assertThat(commandIds(call("ListCommands", "{}"))).containsExactly(third, onDb, first);
    assertThat(commandIds(call("ListCommands",
        "{\"Filters\":[{\"key\":\"InvokedAfter\",\"value\":\"2030-03-01T10:10:00Z\"}]}")))
        .containsExactly(third, onDb);
    assertThat(commandIds(call("ListCommands", "{\"InstanceId\":\"" + WEB + "\","
        + "\"Filters\":[{\"key\":\"InvokedAfter\",\"value\":\"2030-03-01T10:10:00Z\"}]}"))).containsExactly(third);
    assertThat(commandIds(call("ListCommands",
        "{\"Filters\":[{\"key\":\"InvokedBefore\",\"value\":\"2030-03-01T10:10:00Z\"}]}")))
        .containsExactly(onDb, first);
    assertThat(commandIds(call("ListCommands",
        "{\"Filters\":[{\"key\":\"Status\",\"value\":\"Success\"}]}"))).containsExactly(third, first);
    assertThat(commandIds(call("ListCommands",
        "{\"Filters\":[{\"key\":\"Status\",\"value\":\"Pending\"}]}"))).containsExactly(onDb);
    assertThat(commandIds(call("ListCommands",
        "{\"Filters\":[{\"key\":\"ExecutionStage\",\"value\":\"Executing\"}]}"))).containsExactly(onDb);
    assertThat(commandIds(call("ListCommands", "{\"Filters\":[{\"key\":\"DocumentName\","
        + "\"value\":\"AWS-RunShellScript\"},{\"key\":\"ExecutionStage\",\"value\":\"Complete\"}]}")))
        .containsExactly(third, first);

    Answer page1 = call("ListCommands", "{\"MaxResults\":2}");
    assertThat(commandIds(page1)).containsExactly(third, onDb);
    Answer page2 = call("ListCommands", "{\"MaxResults\":2,\"NextToken\":\""
        + page1.body().path("NextToken").asText() + "\"}");
    assertThat(commandIds(page2)).containsExactly(first);
    assertThat(page2.body().has("NextToken")).isFalse();

    now.set(T0.plus(Duration.ofDays(30)).plusSeconds(601));
    assertThat(commandIds(call("ListCommands", "{}"))).as("SSM keeps 30 days").containsExactly(third);
    assertThat(call("ListCommands", "{\"CommandId\":\"" + first + "\"}").code()).isEqualTo("InvalidCommandId");
    assertThat(aws.ssm().invocations()).hasSize(3);
  }

  @Test
  void aCommandToTwoNodesIsInProgressUntilBothFinish() throws Exception {
    aws.ssm().setPingStatus(DB, "ConnectionLost");
    String id = sent("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"" + WEB + "\",\"" + DB + "\"],"
        + "\"TimeoutSeconds\":30,\"Parameters\":{\"commands\":[\"uptime\"]}}");
    JsonNode c = call("ListCommands", "{\"CommandId\":\"" + id + "\"}").body().path("Commands").get(0);
    assertThat(c.path("Status").asText()).isEqualTo("InProgress");
    assertThat(c.path("TargetCount").asInt()).isEqualTo(2);
    assertThat(status(id, WEB)).isEqualTo("Success");
    now.set(T0.plusSeconds(31));
    c = call("ListCommands", "{\"CommandId\":\"" + id + "\"}").body().path("Commands").get(0);
    assertThat(c.path("Status").asText()).as("one succeeded, one timed out").isEqualTo("TimedOut");
    assertThat(c.path("CompletedCount").asInt()).isEqualTo(2);
    assertThat(c.path("DeliveryTimedOutCount").asInt()).isEqualTo(1);
    assertThat(c.path("ErrorCount").asInt()).isZero();
  }

  static Stream<Arguments> refusals() {
    String send = "{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"" + WEB + "\"],"
        + "\"Parameters\":{\"commands\":[\"uptime\"]}";
    StringBuilder fiftyOne = new StringBuilder();
    for (int k = 0; k < 51; k++) {
      fiftyOne.append(k == 0 ? "" : ",").append("\"i-0c00000000000").append(String.format("%04d", k)).append('"');
    }
    String big = "x".repeat(64 * 1024 + 1);
    return Stream.of(
        Arguments.of("DescribeInstanceInformation",
            "{\"InstanceInformationFilterList\":[{\"key\":\"InstanceIds\",\"valueSet\":[\"" + WEB + "\"]}]}",
            "ValidationException"),
        Arguments.of("DescribeInstanceInformation", "{\"Filters\":[{\"Key\":\"Colour\",\"Values\":[\"red\"]}]}",
            "InvalidFilterKey"),
        Arguments.of("DescribeInstanceInformation", "{\"Filters\":[{\"Key\":\"IamRole\",\"Values\":[\"r\"]}]}",
            "ValidationException"),
        Arguments.of("DescribeInstanceInformation", "{\"MaxResults\":4}", "ValidationException"),
        Arguments.of("DescribeInstanceInformation", "{\"MaxResults\":51}", "ValidationException"),
        Arguments.of("DescribeInstanceInformation", "{\"NextToken\":\"bm90IGEgdG9rZW4=\"}", "InvalidNextToken"),
        Arguments.of("SendCommand", send.replace("AWS-RunShellScript", "AWS-RunPowerShellScript") + "}",
            "InvalidDocument"),
        Arguments.of("SendCommand", send.replace(WEB, "i-0999999999999999a") + "}", "InvalidInstanceId"),
        Arguments.of("SendCommand", send.replace("\"" + WEB + "\"", fiftyOne.toString()) + "}",
            "ValidationException"),
        Arguments.of("SendCommand", send.replace("\"" + WEB + "\"", "") + "}", "ValidationException"),
        Arguments.of("SendCommand", send + ",\"Targets\":[{\"Key\":\"tag:env\",\"Values\":[\"prod\"]}]}",
            "ValidationException"),
        Arguments.of("SendCommand", send + ",\"OutputS3BucketName\":\"logs\"}", "ValidationException"),
        Arguments.of("SendCommand", send.replace("\"commands\"", "\"command\"") + "}", "InvalidParameters"),
        Arguments.of("SendCommand", send.replace("[\"uptime\"]", "[\"uptime\"],\"user\":[\"root\"]") + "}",
            "InvalidParameters"),
        Arguments.of("SendCommand", send.replace("[\"uptime\"]", "[\"" + big + "\"]") + "}", "InvalidParameters"),
        Arguments.of("SendCommand", send.replace("[\"uptime\"]", "[\"uptime\"],\"executionTimeout\":[\"0\"]") + "}",
            "InvalidParameters"),
        Arguments.of("SendCommand",
            send.replace("[\"uptime\"]", "[\"uptime\"],\"executionTimeout\":[\"172801\"]") + "}",
            "InvalidParameters"),
        Arguments.of("SendCommand",
            send.replace("[\"uptime\"]", "[\"uptime\"],\"executionTimeout\":[\"1h\"]") + "}", "InvalidParameters"),
        Arguments.of("SendCommand", send + ",\"Comment\":\"" + "c".repeat(101) + "\"}", "ValidationException"),
        Arguments.of("SendCommand", send + ",\"TimeoutSeconds\":29}", "ValidationException"),
        Arguments.of("SendCommand", send + ",\"TimeoutSeconds\":2592001}", "ValidationException"),
        Arguments.of("GetCommandInvocation",
            "{\"CommandId\":\"00000000-0000-4000-8000-000000000000\",\"InstanceId\":\"" + WEB + "\"}",
            "InvocationDoesNotExist"),
        Arguments.of("ListCommands", "{\"Filters\":[{\"key\":\"Owner\",\"value\":\"me\"}]}", "InvalidFilterKey"),
        Arguments.of("ListCommands", "{\"Filters\":[{\"key\":\"Status\",\"value\":\"Done\"}]}",
            "InvalidFilterValue"),
        Arguments.of("ListCommands", "{\"Filters\":[{\"key\":\"InvokedAfter\",\"value\":\"yesterday\"}]}",
            "InvalidFilterValue"),
        Arguments.of("ListCommands", "{\"Filters\":[{\"key\":\"ExecutionStage\",\"value\":\"Done\"}]}",
            "InvalidFilterValue"),
        Arguments.of("ListCommands", "{\"MaxResults\":0}", "ValidationException"),
        Arguments.of("ListCommands", "{\"MaxResults\":51}", "ValidationException"),
        Arguments.of("ListCommands", "{\"NextToken\":\"bm90IGEgdG9rZW4=\"}", "InvalidNextToken"),
        Arguments.of("ListCommands", "{\"CommandId\":\"00000000-0000-4000-8000-000000000000\"}", "InvalidCommandId"),
        Arguments.of("ListCommands", "{\"InstanceId\":\"web-1\"}", "InvalidInstanceId"),
        Arguments.of("CancelCommand", "{}", "UnknownOperationException"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("refusals")
  void whatSsmRefusesTheEmulatorRefuses(String operation, String body, String code) throws Exception {
    Answer a = call(operation, body);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
    assertThat(a.code()).isEqualTo(code);
    assertThat(a.body().path("message").asText()).isNotEmpty();
    assertThat(webRuns).isEmpty();
    assertThat(aws.ssm().invocations()).isEmpty();
  }

  @Test
  void aWrongPluginNameIsRefused() throws Exception {
    String id = sent(sendBody(WEB, "uptime"));
    Answer a = call("GetCommandInvocation", "{\"CommandId\":\"" + id + "\",\"InstanceId\":\"" + WEB + "\","
        + "\"PluginName\":\"aws:runPowerShellScript\"}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.code()).isEqualTo("InvalidPluginName");
    Answer ok = call("GetCommandInvocation", "{\"CommandId\":\"" + id + "\",\"InstanceId\":\"" + WEB + "\","
        + "\"PluginName\":\"aws:runShellScript\"}");
    assertThat(ok.status()).isEqualTo(200);
  }

  @Test
  void anUnsignedOrWronglySignedRequestIsRefused() throws Exception {
    String body = sendBody(WEB, "uptime");
    Answer unsigned = parse(send("AmazonSSM.SendCommand", body, "ssm", false));
    assertThat(unsigned.status()).isEqualTo(403);
    assertThat(unsigned.code()).isEqualTo("MissingAuthenticationTokenException");
    Answer forEcs = parse(send("AmazonSSM.SendCommand", body, "ecs", true));
    assertThat(forEcs.status()).isEqualTo(403);
    assertThat(forEcs.code()).isEqualTo("InvalidSignatureException");
    assertThat(webRuns).isEmpty();
    assertThat(aws.ssm().invocations()).isEmpty();
    assertThat(aws.calls()).isEmpty();
    assertThat(aws.refusals()).containsEntry("MissingAuthenticationTokenException", 1L)
        .containsEntry("InvalidSignatureException", 1L);
  }

  @Test
  void theTestFacingSettersRefuseNonsense() {
    SsmEmulation ssm = aws.ssm();
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> ssm.addNode("web-1", "web", "10.0.0.1", Map.of(), (id, c) -> new Execution(0, "", "")));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> ssm.addNode(WEB, "web", "10.0.0.1", Map.of(), (id, c) -> new Execution(0, "", "")));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> ssm.setPingStatus(WEB, "Inactive"));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> ssm.setPingStatus("i-0999999999999999a", "Online"));
  }
}
