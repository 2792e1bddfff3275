package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.testkit.aws.Json11.AwsError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The AWS Systems Manager (SSM) Run Command state behind an {@link AwsEmulator}, and its operations over JSON 1.1
 * ({@code X-Amz-Target: AmazonSSM.*}, signing name {@code ssm}):
 * <ul>
 *   <li>{@code DescribeInstanceInformation}: the managed nodes a test {@linkplain #addNode added}, with
 *       {@code Filters} on {@code InstanceIds}, {@code PingStatus}, {@code ResourceType}, {@code PlatformTypes},
 *       {@code AgentVersion}, {@code tag-key} and {@code tag:KEY}, pages of {@code MaxResults} (5-50, default 50);</li>
 *   <li>{@code SendCommand} of the document {@code AWS-RunShellScript} to 1-50 {@code InstanceIds}, with its
 *       parameters {@code commands}, {@code executionTimeout} and {@code workingDirectory}, {@code Comment},
 *       {@code TimeoutSeconds} (the delivery timeout, 30-2592000, default 3600), {@code MaxConcurrency} and
 *       {@code MaxErrors} (validated and echoed);</li>
 *   <li>{@code GetCommandInvocation} (plugin {@code aws:runShellScript}; output cut to SSM's 24,000 characters of
 *       stdout and 8,000 of stderr);</li>
 *   <li>{@code ListCommands} by {@code CommandId} or {@code InstanceId}, with {@code Filters} on
 *       {@code InvokedAfter}, {@code InvokedBefore}, {@code Status}, {@code DocumentName} and
 *       {@code ExecutionStage}, newest first, pages of {@code MaxResults} (1-50, default 50), commands of the last 30
 *       days of the state clock only.</li>
 * </ul>
 * A node runs a command by calling its {@link Shell} with the {@code commands} parameter's strings as sent (one per
 * list item; an item holding several lines is passed as one string), at {@code SendCommand} when the node is
 * {@code Online}. A client sees the result only after {@link #setCompletionPolls} reads answering {@code InProgress}
 * (each {@code GetCommandInvocation} of the invocation and each {@code ListCommands} page listing its command is a
 * read), and may first be told {@code InvocationDoesNotExist} ({@link #setInvocationLag}), as SSM does right after
 * {@code SendCommand}. A command to a node whose ping status is {@code ConnectionLost} stays {@code Pending} and is
 * delivered when the node is set {@code Online} again, or is {@code TimedOut} ({@code DeliveryTimedOut}) once the
 * state clock is past its request time plus {@code TimeoutSeconds}. {@link #holdCommands} keeps new commands
 * {@code InProgress} without running them until {@link #releaseCommands}. A command's aggregate status is
 * {@code Pending} while all of its invocations are, {@code InProgress} while any is not finished, then
 * {@code Success} when all succeeded, else {@code Failed} if any failed, else {@code TimedOut}.
 *
 * <p>The shells run on the emulator's request thread while it holds its lock: a shell must not call the emulator.
 * A shell that throws (or returns null) makes its invocation {@code Failed} with response code 1 and the exception
 * in stderr.
 *
 * <p>Not emulated: documents other than {@code AWS-RunShellScript} ({@code InvalidDocument}), {@code Targets} (tags or
 * resource groups as targets), {@code InstanceInformationFilterList}, S3 and CloudWatch output,
 * notifications, service roles, alarms and document hashes (each refused with {@code ValidationException} saying so);
 * {@code executionTimeout} is validated but not enforced (a shell runs as long as it runs, and no invocation ends
 * {@code ExecutionTimedOut}); {@code MaxConcurrency} and {@code MaxErrors} are not enforced (every node runs at once,
 * and a failure stops nothing); {@code workingDirectory} is not passed to the shell; {@code CancelCommand},
 * {@code ListCommandInvocations}, sessions, associations, inventory, patching and the rest of SSM; partial output
 * while a command runs (stdout and stderr are empty until the result shows); the {@code Inactive} ping status;
 * the filter keys {@code ActivationIds}, {@code IamRole} and {@code AssociationStatus} (refused as not emulated);
 * nodes on platforms other than Linux.
 */
public final class SsmEmulation {
  /** What a shell did: its exit code and full output. */
  public record Execution(int exitCode, String stdout, String stderr) {
    /** Checks the outputs are not null. */
    public Execution {
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(stderr, "stderr");
    }
  }

  /** A node's shell: runs the {@code commands} of one command on {@code instanceId}. */
  @FunctionalInterface
  public interface Shell {
    /** Runs {@code commands} (the {@code commands} parameter's strings as sent) on {@code instanceId}. */
    Execution run(String instanceId, List<String> commands);
  }

  /**
   * One command on one node as a test sees it: what was asked, and what happened, whether or not a client has read
   * it yet ({@code status} {@code Pending} until delivered, {@code InProgress} while held, {@code Success} or
   * {@code Failed} once the shell ran, {@code TimedOut} when never delivered; {@code responseCode} -1 and the
   * outputs empty until the shell ran; the outputs in full, not cut as {@code GetCommandInvocation} cuts them).
   */
  public record Invocation(String commandId, String instanceId, String documentName, @Nullable String comment,
      List<String> commands, String status, String statusDetails, int responseCode, String stdout, String stderr,
      Instant requested) {}

  static final String DOCUMENT = "AWS-RunShellScript";
  static final String PLUGIN = "aws:runShellScript";
  static final String AGENT_VERSION = "3.3.1142.0";
  private static final Pattern INSTANCE_ID = Pattern.compile("i-(\\w{8}|\\w{17})|mi-\\w{17}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,6}");
  private static final Pattern MAX_CONCURRENCY = Pattern.compile("[1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%");
  private static final Pattern MAX_ERRORS = Pattern.compile("[1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%");
  private static final int STDOUT_MAX = 24_000;
  private static final int STDERR_MAX = 8_000;
  private static final int COMMANDS_MAX_BYTES = 64 * 1024;
  private static final Duration RETENTION = Duration.ofDays(30);
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final List<String> NOT_EMULATED_SEND = List.of("OutputS3BucketName", "OutputS3KeyPrefix",
      "OutputS3Region", "ServiceRoleArn", "NotificationConfig", "CloudWatchOutputConfig", "AlarmConfiguration",
      "DocumentHash", "DocumentHashType");
  private static final Set<String> COMMAND_STATUS_FILTERS = Set.of("Pending", "InProgress", "Success", "Cancelled",
      "Failed", "TimedOut", "Cancelling", "DeliveryTimedOut", "ExecutionTimedOut", "AccessDenied", "Incomplete",
      "NoInstancesInTag", "LimitExceeded");

  private static final class Node {
    final String id;
    final String computerName;
    final String ipAddress;
    final Map<String, String> tags;
    final Shell shell;
    String pingStatus = "Online";
    @Nullable Instant lostAt;

    Node(String id, String computerName, String ipAddress, Map<String, String> tags, Shell shell) {
      this.id = id;
      this.computerName = computerName;
      this.ipAddress = ipAddress;
      this.tags = tags;
      this.shell = shell;
    }
  }

  private enum State { PENDING, HELD, RAN, TIMED_OUT }

  /** What a client sees of an invocation. */
  private record Seen(String status, String details) {
    boolean terminal() {
      return !status.equals("Pending") && !status.equals("InProgress");
    }
  }

  private static final class Cmd {
    final String id;
    final @Nullable String comment;
    final ObjectNode parameters;
    final List<String> commands;
    final Instant requested;
    final int timeoutSeconds;
    final String maxConcurrency;
    final String maxErrors;
    final List<Inv> invocations = new ArrayList<>();

    Cmd(String id, @Nullable String comment, ObjectNode parameters, List<String> commands, Instant requested,
        int timeoutSeconds, String maxConcurrency, String maxErrors) {
      this.id = id;
      this.comment = comment;
      this.parameters = parameters;
      this.commands = commands;
      this.requested = requested;
      this.timeoutSeconds = timeoutSeconds;
      this.maxConcurrency = maxConcurrency;
      this.maxErrors = maxErrors;
    }

    Instant expiresAfter() {
      return requested.plusSeconds(timeoutSeconds);
    }
  }

  private static final class Inv {
    final Cmd cmd;
    final Node node;
    State state = State.PENDING;
    @Nullable Execution result;
    @Nullable Instant started;
    @Nullable Instant ended;
    int readsLeft;
    int lagLeft;

    Inv(Cmd cmd, Node node, int lag) {
      this.cmd = cmd;
      this.node = node;
      this.lagLeft = lag;
    }

    /** What the next read shows, without counting as a read. */
    Seen peek() {
      return switch (state) {
        case PENDING -> new Seen("Pending", "Pending");
        case HELD -> new Seen("InProgress", "InProgress");
        case TIMED_OUT -> new Seen("TimedOut", "DeliveryTimedOut");
        case RAN -> readsLeft > 0 ? new Seen("InProgress", "InProgress") : outcome();
      };
    }

    /** A client's read: what {@link #peek} shows, counting one of the {@code InProgress} reads before the result. */
    Seen read() {
      Seen s = peek();
      if (state == State.RAN && readsLeft > 0) {
        readsLeft--;
      }
      return s;
    }

    Seen outcome() {
      Execution e = Objects.requireNonNull(result);
      return e.exitCode() == 0 ? new Seen("Success", "Success") : new Seen("Failed", "Failed");
    }
  }

  /** Where a page token continues: the operation it was issued by, and the offset. */
  private record Page(String operation, int offset) {}

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Cmd> commands = new ArrayList<>();
  private final Map<String, Cmd> commandsById = new HashMap<>();
  private final Map<String, Page> pageTokens = new HashMap<>();
  private Supplier<Instant> clock = Instant::now;
  private int completionPolls = 1;
  private int invocationLag;
  private boolean hold;

  SsmEmulation() {}

  synchronized void setClock(Supplier<Instant> clock) {
    this.clock = clock;
  }

  /**
   * Registers a managed node, {@code Online}, whose commands {@code shell} runs. {@code instanceId} must be an ID SSM
   * would have: {@code i-} and 8 or 17 word characters (an EC2 instance) or {@code mi-} and 17 (a hybrid managed
   * node).
   */
  public synchronized SsmEmulation addNode(String instanceId, String computerName, String ipAddress,
      Map<String, String> tags, Shell shell) {
    if (!INSTANCE_ID.matcher(instanceId).matches()) {
      throw new IllegalArgumentException("not an SSM managed node ID: " + instanceId + " (i- and 8 or 17 word"
          + " characters, such as i-0123456789abcdef0, or mi- and 17)");
    }
    if (nodes.containsKey(instanceId)) {
      throw new IllegalArgumentException("node " + instanceId + " already added");
    }
    nodes.put(instanceId, new Node(instanceId, Objects.requireNonNull(computerName, "computerName"),
        Objects.requireNonNull(ipAddress, "ipAddress"), new LinkedHashMap<>(tags), Objects.requireNonNull(shell,
            "shell")));
    return this;
  }

  /**
   * Sets a node's ping status: {@code Online} (the default) or {@code ConnectionLost}. A node going
   * {@code Online} is delivered its {@code Pending} commands that have not timed out, oldest first (their shells run
   * now, unless commands are {@linkplain #holdCommands held}).
   */
  public synchronized SsmEmulation setPingStatus(String instanceId, String pingStatus) {
    Node n = nodes.get(instanceId);
    if (n == null) {
      throw new IllegalArgumentException("no node " + instanceId);
    }
    if (!pingStatus.equals("Online") && !pingStatus.equals("ConnectionLost")) {
      throw new IllegalArgumentException("ping status must be Online or ConnectionLost, not " + pingStatus);
    }
    Instant now = clock.get();
    expire(now);
    if (pingStatus.equals("ConnectionLost") && n.pingStatus.equals("Online")) {
      n.lostAt = now;
    }
    n.pingStatus = pingStatus;
    if (pingStatus.equals("Online")) {
      n.lostAt = null;
      for (Cmd c : commands) {
        for (Inv i : c.invocations) {
          if (i.node == n && i.state == State.PENDING) {
            deliver(i, now);
          }
        }
      }
    }
    return this;
  }

  /**
   * How many reads of an invocation answer {@code InProgress} after its shell ran, before its result shows (default
   * 1; 0 shows it at the first read). Applies to shells that run from now on.
   */
  public synchronized SsmEmulation setCompletionPolls(int polls) {
    if (polls < 0) {
      throw new IllegalArgumentException("polls must be at least 0, not " + polls);
    }
    this.completionPolls = polls;
    return this;
  }

  /**
   * How many {@code GetCommandInvocation} calls of each new invocation answer {@code InvocationDoesNotExist} before it
   * shows (default 0), as SSM does right after {@code SendCommand}. Applies to commands sent from now on.
   */
  public synchronized SsmEmulation setInvocationLag(int reads) {
    if (reads < 0) {
      throw new IllegalArgumentException("reads must be at least 0, not " + reads);
    }
    this.invocationLag = reads;
    return this;
  }

  /**
   * While {@code hold} is true, commands delivered to a node stay {@code InProgress} and their shells do not run
   * (a long-running command). Setting it false does not run the held ones: {@link #releaseCommands} does.
   */
  public synchronized SsmEmulation holdCommands(boolean hold) {
    this.hold = hold;
    return this;
  }

  /** Runs the shells of the held commands now, oldest first; their results show after the completion polls. */
  public synchronized void releaseCommands() {
    Instant now = clock.get();
    for (Cmd c : commands) {
      for (Inv i : c.invocations) {
        if (i.state == State.HELD) {
          run(i, now);
        }
      }
    }
  }

  /** Every invocation (one per command and node), oldest command first, including those older than 30 days. */
  public synchronized List<Invocation> invocations() {
    expire(clock.get());
    List<Invocation> out = new ArrayList<>();
    for (Cmd c : commands) {
      for (Inv i : c.invocations) {
        out.add(view(i));
      }
    }
    return List.copyOf(out);
  }

  private static Invocation view(Inv i) {
    Seen s = i.state == State.RAN ? i.outcome() : i.peek();
    Execution e = i.result;
    return new Invocation(i.cmd.id, i.node.id, DOCUMENT, i.cmd.comment, i.cmd.commands, s.status(), s.details(),
        e == null ? -1 : e.exitCode(), e == null ? "" : e.stdout(), e == null ? "" : e.stderr(), i.cmd.requested);
  }

  // ---- delivery ----

  private void expire(Instant now) {
    for (Cmd c : commands) {
      for (Inv i : c.invocations) {
        if (i.state == State.PENDING && now.isAfter(c.expiresAfter())) {
          i.state = State.TIMED_OUT;
        }
      }
    }
  }

  private void deliver(Inv i, Instant now) {
    if (hold) {
      i.state = State.HELD;
      i.started = now;
    } else {
      run(i, now);
    }
  }

  private void run(Inv i, Instant now) {
    Execution e;
    try {
      e = i.node.shell.run(i.node.id, i.cmd.commands);
      if (e == null) {
        e = new Execution(1, "", "emulated shell of " + i.node.id + " returned null");
      }
    } catch (RuntimeException ex) {
      e = new Execution(1, "", "emulated shell of " + i.node.id + " threw " + ex);
    }
    i.result = e;
    i.state = State.RAN;
    if (i.started == null) {
      i.started = now;
    }
    i.ended = now;
    i.readsLeft = completionPolls;
  }

  // ---- the wire ----

  synchronized AwsEmulator.Response handle(AwsEmulator.Request r) {
    try {
      ObjectNode in = Json11.parse(r.body());
      Instant now = clock.get();
      expire(now);
      JsonNode out = switch (r.operation()) {
        case "DescribeInstanceInformation" -> describeInstanceInformation(in, now);
        case "SendCommand" -> sendCommand(in, now);
        case "GetCommandInvocation" -> getCommandInvocation(in, now);
        case "ListCommands" -> listCommands(in, now);
        default -> throw new AwsError(400, "UnknownOperationException", "the emulator does not serve SSM's "
            + r.operation());
      };
      return Json11.ok(out);
    } catch (AwsError e) {
      return Json11.error(e.status, e.code, e.getMessage());
    }
  }

  private JsonNode describeInstanceInformation(ObjectNode in, Instant now) {
    if (present(in, "InstanceInformationFilterList")) {
      throw notEmulated("InstanceInformationFilterList (use Filters)");
    }
    int max = intMember(in, "MaxResults", 50, 5, 50);
    List<Predicate<Node>> filters = new ArrayList<>();
    for (JsonNode f : in.path("Filters")) {
      filters.add(nodeFilter(f));
    }
    List<Node> matching = nodes.values().stream().filter(n -> filters.stream().allMatch(p -> p.test(n))).toList();
    int from = from(in, "DescribeInstanceInformation");
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode list = out.putArray("InstanceInformationList");
    for (Node n : page(matching, from, max)) {
      list.add(nodeJson(n, now));
    }
    nextToken(out, "DescribeInstanceInformation", from, max, matching.size());
    return out;
  }

  private static Predicate<Node> nodeFilter(JsonNode f) {
    String key = f.path("Key").asText("");
    List<String> values = strings(f.path("Values"));
    if (key.isEmpty() || values.isEmpty() || values.size() > 100) {
      throw AwsError.client("ValidationException", "a filter needs a Key and 1 to 100 Values, but was " + f);
    }
    if (key.startsWith("tag:") && key.length() > 4) {
      String tag = key.substring(4);
      return n -> values.contains(n.tags.get(tag));
    }
    return switch (key) {
      case "InstanceIds" -> n -> values.contains(n.id);
      case "PingStatus" -> {
        checkValues(key, values, Set.of("Online", "ConnectionLost", "Inactive"));
        yield n -> values.contains(n.pingStatus);
      }
      case "ResourceType" -> {
        checkValues(key, values, Set.of("EC2Instance", "ManagedInstance"));
        yield n -> values.contains(resourceType(n));
      }
      case "PlatformTypes" -> {
        checkValues(key, values, Set.of("Windows", "Linux", "MacOS"));
        yield n -> values.contains("Linux");
      }
      case "AgentVersion" -> n -> values.contains(AGENT_VERSION);
      case "tag-key" -> n -> values.stream().anyMatch(n.tags::containsKey);
      case "ActivationIds", "IamRole", "AssociationStatus" -> throw notEmulated("the filter key " + key);
      default -> throw AwsError.client("InvalidFilterKey", "The filter key " + key + " is not valid. Valid keys:"
          + " InstanceIds, AgentVersion, PingStatus, PlatformTypes, ActivationIds, IamRole, ResourceType,"
          + " AssociationStatus, tag-key, tag:{keyname}");
    };
  }

  private static void checkValues(String key, List<String> values, Set<String> valid) {
    for (String v : values) {
      if (!valid.contains(v)) {
        throw AwsError.client("InvalidInstanceInformationFilterValue", "The filter value " + v + " is not valid for"
            + " " + key + "; valid values: " + String.join(", ", valid));
      }
    }
  }

  private static String resourceType(Node n) {
    return n.id.startsWith("mi-") ? "ManagedInstance" : "EC2Instance";
  }

  private static ObjectNode nodeJson(Node n, Instant now) {
    ObjectNode o = Json11.MAPPER.createObjectNode();
    o.put("InstanceId", n.id).put("PingStatus", n.pingStatus)
        .put("LastPingDateTime", epoch(n.lostAt != null ? n.lostAt : now)).put("AgentVersion", AGENT_VERSION)
        .put("IsLatestVersion", true).put("PlatformType", "Linux").put("PlatformName", "Amazon Linux")
        .put("PlatformVersion", "2023").put("ComputerName", n.computerName).put("IPAddress", n.ipAddress)
        .put("ResourceType", resourceType(n)).put("SourceId", n.id)
        .put("SourceType", n.id.startsWith("mi-") ? "AWS::SSM::ManagedInstance" : "AWS::EC2::Instance");
    return o;
  }

  private JsonNode sendCommand(ObjectNode in, Instant now) {
    if (present(in, "Targets")) {
      throw notEmulated("Targets (name the nodes in InstanceIds)");
    }
    for (String member : NOT_EMULATED_SEND) {
      if (present(in, member)) {
        throw notEmulated(member);
      }
    }
    checkDocument(in);
    List<Node> targets = targets(in);
    ObjectNode parameters = in.path("Parameters") instanceof ObjectNode p ? p.deepCopy()
        : Json11.MAPPER.createObjectNode();
    List<String> lines = checkParameters(parameters);
    @Nullable String comment = in.hasNonNull("Comment") ? in.get("Comment").asText() : null;
    if (comment != null && comment.length() > 100) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value at 'comment' failed to"
          + " satisfy constraint: Member must have length less than or equal to 100");
    }
    int timeout = intMember(in, "TimeoutSeconds", 3600, 30, 2_592_000);
    String maxConcurrency = pattern(in, "MaxConcurrency", "50", MAX_CONCURRENCY);
    String maxErrors = pattern(in, "MaxErrors", "0", MAX_ERRORS);
    Cmd c = new Cmd(UUID.randomUUID().toString(), comment, parameters, List.copyOf(lines), now, timeout,
        maxConcurrency, maxErrors);
    for (Node n : targets) {
      c.invocations.add(new Inv(c, n, invocationLag));
    }
    commands.add(c);
    commandsById.put(c.id, c);
    for (Inv i : c.invocations) {
      if (i.node.pingStatus.equals("Online")) {
        deliver(i, now);
      }
    }
    List<Seen> sent = c.invocations.stream().map(i -> new Seen("Pending", "Pending")).toList();
    ObjectNode out = Json11.MAPPER.createObjectNode();
    out.set("Command", commandJson(c, sent));
    return out;
  }

  private static void checkDocument(ObjectNode in) {
    String name = in.path("DocumentName").asText("");
    if (name.isEmpty()) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value null at 'documentName'"
          + " failed to satisfy constraint: Member must not be null");
    }
    if (!name.equals(DOCUMENT)) {
      throw AwsError.client("InvalidDocument", "Document with name " + name + " does not exist (the emulator has "
          + DOCUMENT + " only)");
    }
    String version = in.path("DocumentVersion").asText("$DEFAULT");
    if (!List.of("$DEFAULT", "$LATEST", "1").contains(version)) {
      throw AwsError.client("InvalidDocumentVersion", "Document " + name + " has no version " + version);
    }
  }

  private List<Node> targets(ObjectNode in) {
    List<String> ids = strings(in.path("InstanceIds"));
    if (ids.isEmpty() || ids.size() > 50) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value at 'instanceIds' failed to"
          + " satisfy constraint: Member must have length between 1 and 50, but had " + ids.size());
    }
    List<Node> out = new ArrayList<>();
    for (String id : new LinkedHashSet<>(ids)) {
      Node n = nodes.get(id);
      if (n == null) {
        throw AwsError.client("InvalidInstanceId", "Instance " + id + " is not a managed node of this account"
            + " (it was not added to the emulator's SSM)");
      }
      out.add(n);
    }
    return out;
  }

  /** Checks {@code AWS-RunShellScript}'s parameters; returns {@code commands}. */
  private static List<String> checkParameters(ObjectNode parameters) {
    Map<String, List<String>> p = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : parameters.properties()) {
      if (!e.getValue().isArray() || !allText(e.getValue())) {
        throw invalidParameters("the value of parameter " + e.getKey() + " must be a list of strings");
      }
      p.put(e.getKey(), strings(e.getValue()));
    }
    for (String key : p.keySet()) {
      if (!List.of("commands", "executionTimeout", "workingDirectory").contains(key)) {
        throw invalidParameters("document " + DOCUMENT + " does not support the parameter " + key);
      }
    }
    List<String> lines = p.get("commands");
    if (lines == null || lines.isEmpty()) {
      throw invalidParameters("document " + DOCUMENT + " requires the parameter commands");
    }
    if (String.join("\n", lines).getBytes(StandardCharsets.UTF_8).length > COMMANDS_MAX_BYTES) {
      throw invalidParameters("the parameter commands is longer than 64 KB");
    }
    List<String> timeout = p.get("executionTimeout");
    if (timeout != null && (timeout.size() != 1 || !validExecutionTimeout(timeout.get(0)))) {
      throw invalidParameters("Parameter \"executionTimeout\" \"" + String.join(",", timeout) + "\" failed to"
          + " satisfy constraint: a whole number of seconds from 1 to 172800");
    }
    List<String> dir = p.get("workingDirectory");
    if (dir != null && dir.size() != 1) {
      throw invalidParameters("the parameter workingDirectory takes one string");
    }
    return lines;
  }

  private static boolean validExecutionTimeout(String s) {
    if (!DIGITS.matcher(s).matches() || s.startsWith("0")) {
      return false;
    }
    int seconds = Integer.parseInt(s);
    return seconds >= 1 && seconds <= 172_800;
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode v : array) {
      if (!v.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static AwsError invalidParameters(String message) {
    return AwsError.client("InvalidParameters", message);
  }

  private JsonNode getCommandInvocation(ObjectNode in, Instant now) {
    String commandId = required(in, "CommandId");
    String instanceId = required(in, "InstanceId");
    if (in.hasNonNull("PluginName") && !in.get("PluginName").asText().equals(PLUGIN)) {
      throw AwsError.client("InvalidPluginName", "The plugin name " + in.get("PluginName").asText() + " is not"
          + " valid; " + DOCUMENT + " has the plugin " + PLUGIN);
    }
    Cmd c = commandsById.get(commandId);
    Inv i = c == null || !retained(c, now) ? null
        : c.invocations.stream().filter(x -> x.node.id.equals(instanceId)).findFirst().orElse(null);
    if (i == null || i.lagLeft > 0) {
      if (i != null) {
        i.lagLeft--;
      }
      throw AwsError.client("InvocationDoesNotExist", "There is no invocation of command " + commandId + " on "
          + instanceId);
    }
    Seen s = i.read();
    boolean done = s.terminal() && i.result != null;
    Execution e = i.result;
    ObjectNode out = Json11.MAPPER.createObjectNode();
    out.put("CommandId", c.id).put("InstanceId", i.node.id).put("Comment", c.comment == null ? "" : c.comment)
        .put("DocumentName", DOCUMENT).put("DocumentVersion", "1").put("PluginName", PLUGIN)
        .put("ResponseCode", done ? e.exitCode() : -1)
        .put("ExecutionStartDateTime", i.started == null ? "" : ISO_MILLIS.format(i.started))
        .put("ExecutionElapsedTime", done ? Duration.between(i.started, i.ended).toString() : "")
        .put("ExecutionEndDateTime", done ? ISO_MILLIS.format(i.ended) : "")
        .put("Status", s.status()).put("StatusDetails", s.details())
        .put("StandardOutputContent", done ? cut(e.stdout(), STDOUT_MAX) : "").put("StandardOutputUrl", "")
        .put("StandardErrorContent", done ? cut(e.stderr(), STDERR_MAX) : "").put("StandardErrorUrl", "");
    out.putObject("CloudWatchOutputConfig").put("CloudWatchLogGroupName", "").put("CloudWatchOutputEnabled", false);
    return out;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private JsonNode listCommands(ObjectNode in, Instant now) {
    int max = intMember(in, "MaxResults", 50, 1, 50);
    List<Predicate<Cmd>> filters = new ArrayList<>();
    JsonNode fs = in.path("Filters");
    if (fs.isArray() && (fs.isEmpty() || fs.size() > 5)) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value at 'filters' failed to"
          + " satisfy constraint: Member must have length between 1 and 5");
    }
    for (JsonNode f : fs) {
      filters.add(commandFilter(f));
    }
    if (in.hasNonNull("CommandId")) {
      String id = in.get("CommandId").asText();
      Cmd c = commandsById.get(id);
      if (c == null || !retained(c, now)) {
        throw AwsError.client("InvalidCommandId", "There is no command " + id);
      }
      filters.add(x -> x == c);
    }
    if (in.hasNonNull("InstanceId")) {
      String id = in.get("InstanceId").asText();
      if (!INSTANCE_ID.matcher(id).matches()) {
        throw AwsError.client("InvalidInstanceId", "Instance ID " + id + " is not valid");
      }
      filters.add(c -> c.invocations.stream().anyMatch(i -> i.node.id.equals(id)));
    }
    List<Cmd> newestFirst = new ArrayList<>();
    for (int k = commands.size() - 1; k >= 0; k--) {
      Cmd c = commands.get(k);
      if (retained(c, now) && filters.stream().allMatch(p -> p.test(c))) {
        newestFirst.add(c);
      }
    }
    newestFirst.sort((a, b) -> b.requested.compareTo(a.requested));
    int from = from(in, "ListCommands");
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode list = out.putArray("Commands");
    for (Cmd c : page(newestFirst, from, max)) {
      list.add(commandJson(c, c.invocations.stream().map(Inv::read).toList()));
    }
    nextToken(out, "ListCommands", from, max, newestFirst.size());
    return out;
  }

  private static Predicate<Cmd> commandFilter(JsonNode f) {
    String key = f.path("key").asText("");
    String value = f.path("value").asText("");
    if (value.isEmpty()) {
      throw AwsError.client("InvalidFilterValue", "The filter " + key + " needs a value");
    }
    return switch (key) {
      case "InvokedAfter" -> {
        Instant t = instant(key, value);
        yield c -> !c.requested.isBefore(t);
      }
      case "InvokedBefore" -> {
        Instant t = instant(key, value);
        yield c -> !c.requested.isAfter(t);
      }
      case "Status" -> {
        if (!COMMAND_STATUS_FILTERS.contains(value)) {
          throw AwsError.client("InvalidFilterValue", "The value " + value + " is not a valid command status");
        }
        yield c -> {
          Seen s = aggregate(c.invocations.stream().map(Inv::peek).toList());
          return s.status().equals(value) || s.details().equals(value);
        };
      }
      case "DocumentName" -> c -> value.equals(DOCUMENT);
      case "ExecutionStage" -> {
        if (!value.equals("Executing") && !value.equals("Complete")) {
          throw AwsError.client("InvalidFilterValue", "ExecutionStage is Executing or Complete, not " + value);
        }
        yield c -> aggregate(c.invocations.stream().map(Inv::peek).toList()).terminal() == value.equals("Complete");
      }
      default -> throw AwsError.client("InvalidFilterKey", "The filter key " + key + " is not valid. Valid keys:"
          + " InvokedAfter, InvokedBefore, Status, ExecutionStage, DocumentName");
    };
  }

  private static Instant instant(String key, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw AwsError.client("InvalidFilterValue", "The value of " + key + " must be an ISO-8601 time such as"
            + " 2021-07-07T00:00:00Z, not " + value);
      }
    }
  }

  private boolean retained(Cmd c, Instant now) {
    return !c.requested.isBefore(now.minus(RETENTION));
  }

  /** A command's status from its invocations' as seen. */
  private static Seen aggregate(List<Seen> seen) {
    if (seen.stream().allMatch(s -> s.status().equals("Pending"))) {
      return new Seen("Pending", "Pending");
    }
    if (!seen.stream().allMatch(Seen::terminal)) {
      return new Seen("InProgress", "InProgress");
    }
    if (seen.stream().allMatch(s -> s.status().equals("Success"))) {
      return new Seen("Success", "Success");
    }
    if (seen.stream().anyMatch(s -> s.status().equals("Failed"))) {
      return new Seen("Failed", "Failed");
    }
    return new Seen("TimedOut", "DeliveryTimedOut");
  }

  private static ObjectNode commandJson(Cmd c, List<Seen> seen) {
    Seen s = aggregate(seen);
    ObjectNode o = Json11.MAPPER.createObjectNode();
    o.put("CommandId", c.id).put("DocumentName", DOCUMENT).put("DocumentVersion", "$DEFAULT")
        .put("Comment", c.comment == null ? "" : c.comment).put("ExpiresAfter", epoch(c.expiresAfter()));
    o.set("Parameters", c.parameters.deepCopy());
    ArrayNode ids = o.putArray("InstanceIds");
    c.invocations.forEach(i -> ids.add(i.node.id));
    o.putArray("Targets");
    o.put("RequestedDateTime", epoch(c.requested)).put("Status", s.status()).put("StatusDetails", s.details())
        .put("MaxConcurrency", c.maxConcurrency).put("MaxErrors", c.maxErrors)
        .put("TargetCount", c.invocations.size())
        .put("CompletedCount", seen.stream().filter(Seen::terminal).count())
        .put("ErrorCount", seen.stream().filter(x -> x.status().equals("Failed")).count())
        .put("DeliveryTimedOutCount", seen.stream().filter(x -> x.status().equals("TimedOut")).count())
        .put("TimeoutSeconds", c.timeoutSeconds);
    return o;
  }

  // ---- members and pages ----

  private static double epoch(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS).toEpochMilli() / 1000.0;
  }

  /** Whether {@code member} is there and not empty (an SDK sends no empty list, but a hand-made request may). */
  private static boolean present(ObjectNode in, String member) {
    JsonNode v = in.get(member);
    return v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty());
  }

  private static AwsError notEmulated(String what) {
    return AwsError.client("ValidationException", what + " is not emulated by the testkit's SSM emulation");
  }

  private static String required(ObjectNode in, String member) {
    String v = in.path(member).asText("");
    if (v.isEmpty()) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value null at '"
          + Character.toLowerCase(member.charAt(0)) + member.substring(1)
          + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  private static int intMember(ObjectNode in, String member, int absent, int min, int max) {
    JsonNode v = in.get(member);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value '" + v.asText() + "' at '"
          + Character.toLowerCase(member.charAt(0)) + member.substring(1) + "' failed to satisfy constraint: Member"
          + " must have value between " + min + " and " + max);
    }
    return v.asInt();
  }

  private static String pattern(ObjectNode in, String member, String absent, Pattern valid) {
    if (!in.hasNonNull(member)) {
      return absent;
    }
    String v = in.get(member).asText();
    if (!valid.matcher(v).matches()) {
      throw AwsError.client("ValidationException", "1 validation error detected: Value '" + v + "' at '"
          + Character.toLowerCase(member.charAt(0)) + member.substring(1) + "' failed to satisfy constraint: Member"
          + " must satisfy regular expression pattern: " + valid.pattern());
    }
    return v;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  private int from(ObjectNode in, String operation) {
    if (!in.hasNonNull("NextToken")) {
      return 0;
    }
    Page p = pageTokens.get(in.get("NextToken").asText());
    if (p == null || !p.operation().equals(operation)) {
      throw AwsError.client("InvalidNextToken", "The specified token is not valid");
    }
    return p.offset();
  }

  private static <T> List<T> page(List<T> all, int from, int max) {
    return all.subList(Math.min(from, all.size()), Math.min(from + max, all.size()));
  }

  private void nextToken(ObjectNode out, String operation, int from, int max, int size) {
    if (from + max < size) {
      String token = java.util.Base64.getEncoder().encodeToString((operation + "/" + UUID.randomUUID())
          .getBytes(StandardCharsets.UTF_8));
      pageTokens.put(token, new Page(operation, from + max));
      out.put("NextToken", token);
    }
  }
}
