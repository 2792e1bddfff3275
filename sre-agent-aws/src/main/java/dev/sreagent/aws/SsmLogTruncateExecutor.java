package dev.sreagent.aws;

import dev.sreagent.api.LogPaths;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Digests;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CommandFilter;
import software.amazon.awssdk.services.ssm.model.CommandFilterKey;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationResponse;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.ListCommandsResponse;

/**
 * Carries out {@link Action.TruncateLogs} on an EC2 instance (or any node managed by AWS Systems Manager) with
 * Run Command: {@code SendCommand} of the {@code AWS-RunShellScript} document with a fixed script — the directory set
 * as {@code $1} ({@code set -- 'PATH'}), then {@link LogPaths#TRUNCATE_SCRIPT}, the Kubernetes executor's: it enters
 * the directory without following symbolic links, refuses (exit 3) when a link anywhere in the path leads elsewhere,
 * and runs {@code find . -xdev -type f -print -exec truncate -s 0 -- {} +} — then {@code GetCommandInvocation} until it
 * ends. SUCCEEDED names the files emptied; a non-zero exit before any file was listed, or no file under the path, is
 * FAILED (nothing emptied: what fills the disk is not a file there); a command that ended after listing files, or
 * timed out or was cancelled while running, is TIMED_OUT (partly done: how much is unknown), as is a failed read of
 * the outcome after the send.
 *
 * <p><b>Which node.</b> Only nodes carrying the node tag ({@link Builder#setNodeTag}, default
 * {@value #DEFAULT_NODE_TAG_KEY}{@code =}{@value #DEFAULT_NODE_TAG_VALUE}: an explicit opt-in per instance, set in
 * its launch template) are ever commanded. The action's {@code host} names one of them by instance ID, by the name
 * SSM reports for it ({@code ComputerName}, or its first label: {@code ip-10-0-1-5} for
 * {@code ip-10-0-1-5.eu-west-1.compute.internal}, as host metrics usually name a host; ASCII only, compared without
 * case) or by its IP address; a host matching none is REJECTED, one matching two nodes is REJECTED as ambiguous, a
 * node whose SSM agent is not {@code Online} is FAILED before anything is sent.
 *
 * <p><b>Safety.</b> The path is checked against the executor's own allow-list (default {@code /var/log/}) with the
 * Kubernetes executor's rules ({@link LogPaths}) before any call: relative paths, {@code .}/{@code ..} segments,
 * {@code //}, backslashes, control, format and separator characters and system directories are REJECTED, never
 * resolved. The script's first line is a comment recording the change: {@code # sre-agent truncate-logs key=KEY
 * fence=TOKEN lock=LOCK incident=ID} (values outside {@code [A-Za-z0-9._:-]} become their SHA-256, so nothing from an
 * action reaches the shell but the quoted path). SSM keeps every command with its parameters for 30 days, so that
 * line is the record: before sending, the commands of the last {@link Builder#setHistory history} (default 7 days)
 * are read;
 * <ul>
 *   <li>the newest truncation under the same key, on any node, must be this action (same node, same lock, same
 *       script after its first line), else REJECTED (a key names one action; a command that copied the first line
 *       over another script is no truncation and is not taken for one); if it emptied files, SUCCEEDED without a second run; one still running
 *       is waited for; one that emptied nothing (never delivered, cancelled before it started, no file, refused,
 *       failed before listing a file) is sent again; one that ended otherwise is REJECTED: someone must look at the
 *       node, and a new plan has a new key;</li>
 *   <li>a fencing token lower than one recorded for the same lock on that node is REJECTED (another holder of the
 *       lock acted since).</li>
 * </ul>
 * Run Command has no compare-and-set and no dry run: between the read and the send only the agent's lock on the
 * target excludes other writers, and a dry run checks everything and sends nothing. The send goes without the SDK's
 * retries and carries its key in its User-Agent ({@code sre-agent-key/KEY}), as the ECS executors' writes do; a send
 * whose answer was lost is TIMED_OUT, and its redelivery finds the command by its first line.
 *
 * <p>IAM: {@code ssm:DescribeInstanceInformation}, {@code ssm:ListCommands}, {@code ssm:GetCommandInvocation}, and
 * {@code ssm:SendCommand} on the document {@code arn:aws:ssm:REGION::document/AWS-RunShellScript} and on instances
 * with the node tag ({@code ssm:resourceTag/sre-agent:truncate-logs}); see
 * {@code src/main/resources/iam/sre-agent-ecs.json}. Needs {@code find} and {@code truncate} on the node (coreutils and
 * findutils: every Amazon Linux, Ubuntu and Bottlerocket admin container has them); Linux nodes only.
 */
public final class SsmLogTruncateExecutor implements ActionExecutor {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SsmLogTruncateExecutor.class);
  /** The SSM document run. */
  public static final String DOCUMENT = "AWS-RunShellScript";
  /** The tag a node must carry by default to be commanded. */
  public static final String DEFAULT_NODE_TAG_KEY = "sre-agent:truncate-logs";
  /** The value of {@link #DEFAULT_NODE_TAG_KEY} by default. */
  public static final String DEFAULT_NODE_TAG_VALUE = "allowed";
  /** The first line of every script the executor sends, before its fields. */
  public static final String HEADER = "# sre-agent truncate-logs";
  /** SSM returns at most this much of a command's stdout. */
  static final int STDOUT_LIMIT = 24_000;

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern SHELL_WORD = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+|\\{}");

  private final SsmClient ssm;
  private final String tagKey;
  private final String tagValue;
  private final List<String> allowedPrefixes;
  private final Clock clock;
  private final Duration commandTimeout;
  private final Duration pollInterval;
  private final Duration history;

  private SsmLogTruncateExecutor(Builder b) {
    this.ssm = b.ssm;
    this.tagKey = b.tagKey;
    this.tagValue = b.tagValue;
    this.allowedPrefixes = b.allowedPrefixes;
    this.clock = b.clock;
    this.commandTimeout = b.commandTimeout;
    this.pollInterval = b.pollInterval;
    this.history = b.history;
  }

  /** A builder over {@code ssm} (a client built without retries of its own is not needed: writes opt out). */
  public static Builder builder(SsmClient ssm) {
    return new Builder(ssm);
  }

  @Override
  public String name() {
    return "ssm-truncate-logs";
  }

  @Override
  public boolean supports(Action action) {
    return action instanceof Action.TruncateLogs;
  }

  @Override
  public Optional<Duration> longestCall() {
    return Optional.of(commandTimeout.plus(pollInterval).plusMinutes(1));
  }

  /** A node SSM manages, as the executor found it. */
  record Node(String instanceId, @Nullable String computerName, @Nullable String ip, @Nullable String ping) {
    String shown() {
      return instanceId + (computerName == null ? "" : " (" + computerName + ")");
    }
  }

  /** The first line of a script this executor sent, read back from the command's parameters. */
  record Record(String key, long fence, String lock, String incident) {
    static Optional<Record> of(Command c) {
      List<String> lines = c.parameters() == null ? null : c.parameters().get("commands");
      if (lines == null || lines.isEmpty() || !lines.get(0).startsWith(HEADER + " ")) {
        return Optional.empty();
      }
      String key = null;
      String lock = null;
      String incident = "";
      long fence = Long.MIN_VALUE;
      for (String field : lines.get(0).substring(HEADER.length() + 1).split(" ")) {
        int eq = field.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String v = field.substring(eq + 1);
        switch (field.substring(0, eq)) {
          case "key" -> key = v;
          case "lock" -> lock = v;
          case "incident" -> incident = v;
          case "fence" -> {
            try {
              fence = Long.parseLong(v);
            } catch (NumberFormatException e) {
              return Optional.empty();
            }
          }
          default -> { }
        }
      }
      return key == null || lock == null || fence == Long.MIN_VALUE ? Optional.empty()
          : Optional.of(new Record(key, fence, lock, incident));
    }
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    if (!(action instanceof Action.TruncateLogs truncate)) {
      return result(context, ActionResult.Status.REJECTED, name() + " does not carry out " + action.kind());
    }
    Optional<String> refused = LogPaths.refusal(truncate.path(), allowedPrefixes);
    if (refused.isPresent()) {
      return result(context, ActionResult.Status.REJECTED, refused.get() + "; nothing sent");
    }
    try {
      List<Node> matches = nodesNamed(truncate.host());
      if (matches.isEmpty()) {
        return result(context, ActionResult.Status.REJECTED, "host '" + truncate.host() + "' is no node SSM manages"
            + " with the tag " + tagKey + "=" + tagValue + " (matched by instance ID, computer name or IP address):"
            + " only tagged nodes are commanded; nothing sent");
      }
      if (matches.size() > 1) {
        return result(context, ActionResult.Status.REJECTED, "host '" + truncate.host() + "' is ambiguous: it names "
            + matches.stream().map(Node::shown).toList() + "; name the instance ID; nothing sent");
      }
      Node node = matches.get(0);
      String key = safe(context.idempotencyKey());
      String lock = lock(truncate);
      List<String> body = body(truncate.path());
      Optional<Command> earlier = commandUnder(key);
      if (earlier.isPresent()) {
        Command e = earlier.get();
        if (!e.instanceIds().equals(List.of(node.instanceId())) || !Record.of(e).orElseThrow().lock().equals(lock)
            || !e.parameters().get("commands").subList(1, e.parameters().get("commands").size()).equals(body)) {
          return result(context, ActionResult.Status.REJECTED, "key " + context.idempotencyKey() + " was used by"
              + " command " + e.commandId() + " on " + e.instanceIds() + " for another action (another host, path or"
              + " script): a key names one action; nothing sent");
        }
        Optional<ActionResult> settled = settle(e, node, truncate, context);
        if (settled.isPresent()) {
          return settled.get();
        }
      }
      long recorded = ours(node.instanceId()).stream().map(c -> Record.of(c).orElseThrow())
          .filter(r -> r.lock().equals(lock)).mapToLong(Record::fence).max().orElse(Long.MIN_VALUE);
      if (context.fencingToken() < recorded) {
        return result(context, ActionResult.Status.REJECTED, "fencing token " + context.fencingToken() + " is lower"
            + " than " + recorded + " recorded on " + node.shown() + " for lock " + truncate.target() + ": another"
            + " holder of the lock acted since; nothing sent");
      }
      if (!"Online".equals(node.ping())) {
        return result(context, ActionResult.Status.FAILED, "the SSM agent of " + node.shown() + " is " + node.ping()
            + ", not Online: a command would wait undelivered; nothing sent");
      }
      if (context.dryRun()) {
        return result(context, ActionResult.Status.DRY_RUN, "checks passed, nothing sent (Run Command has no dry"
            + " run): would empty the regular files under " + truncate.path() + " on " + node.shown());
      }
      List<String> script = new ArrayList<>();
      script.add(recordLine(key, context.fencingToken(), lock, context.incidentId()));
      script.addAll(body);
      String commandId = ssm.sendCommand(b -> b.documentName(DOCUMENT).instanceIds(node.instanceId())
          .comment(cut("sre-agent truncate-logs " + key, 100)).timeoutSeconds(60)
          .parameters(Map.of("commands", script, "executionTimeout",
              List.of(Long.toString(Math.max(1, commandTimeout.toSeconds())))))
          .overrideConfiguration(EcsExecutor.write(context))).command().commandId();
      return awaitSent(commandId, node, truncate, context);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result(context, ActionResult.Status.TIMED_OUT, "interrupted while waiting for the truncation of "
          + truncate.path() + " on " + truncate.host() + "; reconcile before retrying");
    } catch (RuntimeException e) {
      return EcsExecutor.failure(context, e, "SSM", clock);
    }
  }

  /**
   * What happened to {@code idempotencyKey}: the newest command under it within the history, across every node (a
   * search of at most 100 pages); empty when none was sent, it never ran or it emptied nothing.
   */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    if (idempotencyKey == null || idempotencyKey.isBlank()) {
      return Optional.empty();
    }
    ExecutionContext context = new ExecutionContext("reconcile", idempotencyKey, 0, false);
    try {
      Optional<Command> found = commandUnder(safe(idempotencyKey));
      if (found.isEmpty()) {
        return Optional.empty();
      }
      Command c = found.get();
      GetCommandInvocationResponse inv = invocation(c.commandId(), c.instanceIds().get(0));
      if (inv == null) {
        return Optional.of(result(context, ActionResult.Status.TIMED_OUT, "command " + c.commandId()
            + " under this key has no invocation on " + c.instanceIds().get(0) + " yet; look again"));
      }
      String what = "command " + c.commandId() + " on " + inv.instanceId();
      return switch (Outcome.of(inv)) {
        case EMPTIED -> Optional.of(result(context, ActionResult.Status.SUCCEEDED, what + " succeeded: "
            + files(inv.standardOutputContent()).size() + " files emptied"));
        case RUNNING -> Optional.of(result(context, ActionResult.Status.TIMED_OUT, what + " is still "
            + inv.statusAsString()));
        case NOTHING_EMPTIED -> Optional.empty();
        case UNKNOWN -> Optional.of(result(context, ActionResult.Status.TIMED_OUT, what + " ended "
            + inv.statusAsString() + " (" + inv.statusDetails() + ", exit " + inv.responseCode() + ")"
            + (files(inv.standardOutputContent()).isEmpty() ? "" : " after it listed files to empty")
            + ": how much it emptied is unknown"));
      };
    } catch (RuntimeException e) {
      return Optional.of(EcsExecutor.failure(context, e, "SSM", clock));
    }
  }

  /** What an invocation's state says about its effect. */
  enum Outcome {
    /** Success, and it listed the files it emptied. */
    EMPTIED,
    /** Not finished. */
    RUNNING,
    /** Never ran, or ended having emptied nothing (no file, refused, failed before listing one): may be sent again. */
    NOTHING_EMPTIED,
    /** Ran and ended otherwise (failed after listing files, timed out or cancelled while running): partly done. */
    UNKNOWN;

    static Outcome of(@Nullable GetCommandInvocationResponse inv) {
      if (inv == null) {
        return RUNNING;
      }
      String status = inv.statusAsString();
      String details = Objects.requireNonNullElse(inv.statusDetails(), "");
      boolean listed = !files(inv.standardOutputContent()).isEmpty();
      boolean started = inv.executionStartDateTime() != null && !inv.executionStartDateTime().isBlank();
      return switch (status) {
        case "Pending", "InProgress", "Delayed", "Cancelling" -> RUNNING;
        case "Success" -> listed ? EMPTIED : NOTHING_EMPTIED;
        case "Failed" -> listed ? UNKNOWN : NOTHING_EMPTIED;
        default -> (status.equals("TimedOut") && details.equals("DeliveryTimedOut")) || details.equals("Undeliverable")
            || (status.equals("Cancelled") && !started) ? NOTHING_EMPTIED : UNKNOWN;
      };
    }
  }

  /** Settles an earlier command under the same key; empty when it emptied nothing, so it is sent again. */
  private Optional<ActionResult> settle(Command earlier, Node node, Action.TruncateLogs truncate,
      ExecutionContext context) throws InterruptedException {
    GetCommandInvocationResponse inv = invocation(earlier.commandId(), node.instanceId());
    String status = inv == null ? "Pending" : inv.statusAsString();
    switch (Outcome.of(inv)) {
      case EMPTIED -> {
        return Optional.of(result(context, ActionResult.Status.SUCCEEDED, "already done under key "
            + context.idempotencyKey() + " by command " + earlier.commandId() + " on " + node.shown() + " ("
            + files(inv.standardOutputContent()).size() + " files emptied); nothing sent again"));
      }
      case RUNNING -> {
        if (context.dryRun()) {
          return Optional.of(result(context, ActionResult.Status.DRY_RUN, "command " + earlier.commandId()
              + " under this key is still " + status + " on " + node.shown() + "; nothing sent"));
        }
        return Optional.of(awaitSent(earlier.commandId(), node, truncate, context));
      }
      case NOTHING_EMPTIED -> {
        return Optional.empty();
      }
      default -> {
        return Optional.of(result(context, ActionResult.Status.REJECTED, "command " + earlier.commandId()
            + " under key " + context.idempotencyKey() + " ended " + status + " (" + inv.statusDetails() + ", exit "
            + inv.responseCode() + ") on " + node.shown() + " after it started: how much it emptied is unknown,"
            + " so it is not run again under this key; look at " + truncate.path() + " on the node"));
      }
    }
  }

  /** {@link #await}, where a failed read after the send is TIMED_OUT: the command was sent and may have run. */
  private ActionResult awaitSent(String commandId, Node node, Action.TruncateLogs truncate,
      ExecutionContext context) throws InterruptedException {
    try {
      return await(commandId, node, truncate, context);
    } catch (RuntimeException e) {
      ActionResult failed = EcsExecutor.failure(context, e, "SSM", clock);
      return result(context, ActionResult.Status.TIMED_OUT, "sent as command " + commandId + " to "
          + node.shown() + ", then reading its outcome failed (" + failed.message() + "): it may have run;"
          + " reconcile before retrying (a redelivery of the key waits for it)");
    }
  }

  private ActionResult await(String commandId, Node node, Action.TruncateLogs truncate, ExecutionContext context)
      throws InterruptedException {
    Instant deadline = clock.now().plus(commandTimeout);
    String where = " under " + truncate.path() + " on " + node.shown() + " (command " + commandId + ")";
    while (true) {
      GetCommandInvocationResponse inv = invocation(commandId, node.instanceId());
      Outcome outcome = Outcome.of(inv);
      if (outcome == Outcome.RUNNING) {
        if (!clock.now().isBefore(deadline)) {
          return result(context, ActionResult.Status.TIMED_OUT, "truncation" + where + " still "
              + (inv == null ? "not visible" : inv.statusAsString()) + " after " + commandTimeout + ": the outcome is"
              + " unknown; a redelivery of the key waits for it");
        }
        clock.sleep(pollInterval);
        continue;
      }
      List<String> files = files(inv.standardOutputContent()).stream()
          .map(f -> LogPaths.shown(truncate.path(), f)).toList();
      String status = inv.statusAsString();
      String stderr = cut(inv.standardErrorContent(), 500);
      return switch (outcome) {
        case EMPTIED -> result(context, ActionResult.Status.SUCCEEDED, "emptied "
            + (inv.standardOutputContent().length() >= STDOUT_LIMIT ? "at least " : "") + files.size() + " files"
            + where + ": " + String.join(", ", files.subList(0, Math.min(5, files.size())))
            + (files.size() > 5 ? ", ..." : ""));
        case NOTHING_EMPTIED -> result(context, ActionResult.Status.FAILED, status.equals("Success")
            ? "no regular file" + where + ": nothing emptied; what fills the disk is not a file there (a deleted"
                + " file still held open?)"
            : status.equals("Failed") ? "truncation" + where + " exited " + inv.responseCode() + " before emptying"
                + " anything: " + stderr
            : "truncation" + where + " ended " + status + " (" + inv.statusDetails() + "): it never ran");
        default -> result(context, ActionResult.Status.TIMED_OUT, "truncation" + where + " ended " + status + " ("
            + inv.statusDetails() + ", exit " + inv.responseCode() + ")" + (files.isEmpty() ? "" : " after listing "
            + files.size() + " files to empty") + (stderr.isEmpty() ? "" : ": " + stderr) + "; how much it emptied"
            + " is unknown, so the key is not run again");
      };
    }
  }

  /** The invocation, or null while SSM does not show it yet (right after {@code SendCommand}). */
  private @Nullable GetCommandInvocationResponse invocation(String commandId, String instanceId) {
    try {
      return ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId));
    } catch (InvocationDoesNotExistException e) {
      return null;
    }
  }

  /** The newest command of this executor under {@code key} within the history, on any node (at most 100 pages). */
  private Optional<Command> commandUnder(String key) {
    String token = null;
    for (int page = 0; page < 100; page++) {
      String next = token;
      ListCommandsResponse r = ssm.listCommands(b -> b.filters(filters()).maxResults(50).nextToken(next));
      for (Command c : r.commands()) {
        Optional<Record> rec = Record.of(c);
        if (rec.isPresent() && rec.get().key().equals(key) && !c.instanceIds().isEmpty() && truncation(c)) {
          return Optional.of(c);
        }
      }
      token = r.nextToken();
      if (token == null || token.isEmpty()) {
        return Optional.empty();
      }
    }
    LOG.warn("no command under key {} in the first 5,000 commands of the last {}: taken as none", key, history);
    return Optional.empty();
  }

  /**
   * Whether {@code c}'s script after its record line is a truncation this executor sends (for some path): a command
   * that copied the record line over another script is not taken for one (its fencing token still counts: that
   * fails closed).
   */
  private static boolean truncation(Command c) {
    List<String> lines = c.parameters().get("commands");
    return lines.size() == 3 && lines.get(1).startsWith("set -- ") && lines.get(2).equals(LogPaths.TRUNCATE_SCRIPT);
  }

  /** The commands this executor sent to {@code instanceId} within the history, newest first. */
  private List<Command> ours(String instanceId) {
    List<Command> out = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      ListCommandsResponse r = ssm.listCommands(b -> b.instanceId(instanceId).filters(filters()).maxResults(50)
          .nextToken(next));
      r.commands().stream().filter(c -> Record.of(c).isPresent()).forEach(out::add);
      token = r.nextToken();
    } while (token != null && !token.isEmpty());
    return out;
  }

  private List<CommandFilter> filters() {
    return List.of(CommandFilter.builder().key(CommandFilterKey.INVOKED_AFTER)
            .value(clock.now().minus(history).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString()).build(),
        CommandFilter.builder().key(CommandFilterKey.DOCUMENT_NAME).value(DOCUMENT).build());
  }

  /**
   * The instance IDs of every node SSM manages with the node tag, whatever its agent's state: the nodes this executor
   * may command (one {@code DescribeInstanceInformation} read; {@code run} shows their number at start).
   */
  public List<String> taggedNodes() {
    return nodes(i -> true).stream().map(Node::instanceId).toList();
  }

  /** The tagged nodes {@code host} names (instance ID, computer name or its first label, IP address). */
  List<Node> nodesNamed(String host) {
    return nodes(i -> names(i, host));
  }

  private List<Node> nodes(java.util.function.Predicate<InstanceInformation> which) {
    TreeSet<String> seen = new TreeSet<>();
    List<Node> out = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      DescribeInstanceInformationResponse r = ssm.describeInstanceInformation(b -> b.maxResults(50).nextToken(next)
          .filters(InstanceInformationStringFilter.builder().key("tag:" + tagKey).values(tagValue).build()));
      for (InstanceInformation i : r.instanceInformationList()) {
        if (which.test(i) && seen.add(i.instanceId())) {
          out.add(new Node(i.instanceId(), i.computerName(), i.ipAddress(), i.pingStatusAsString()));
        }
      }
      token = r.nextToken();
    } while (token != null && !token.isEmpty());
    return out;
  }

  private static boolean names(InstanceInformation i, String host) {
    if (!host.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return false;  // host names are ASCII: a look-alike (the Kelvin sign for K) must not name a node
    }
    if (host.equals(i.instanceId()) || host.equals(i.ipAddress())) {
      return true;
    }
    String name = i.computerName();
    if (name == null || name.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals(h) || (!h.contains(".") && n.startsWith(h + "."));
  }

  /** The script's first line, recording the change ({@code key} already {@link #safe}). */
  static String recordLine(String key, long fence, String lock, String incident) {
    return HEADER + " key=" + key + " fence=" + fence + " lock=" + lock + " incident=" + safe(incident);
  }

  /** The script sent after its record line: the directory as {@code $1}, then {@link LogPaths#TRUNCATE_SCRIPT}. */
  static List<String> body(String path) {
    return List.of("set -- " + quote(LogPaths.directory(path)), LogPaths.TRUNCATE_SCRIPT);
  }

  static String quote(String word) {
    return SHELL_WORD.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  /** The lock's name in the record: a digest of the action's lock target (which holds host and path). */
  static String lock(Action.TruncateLogs truncate) {
    return Digests.sha256(truncate.target()).substring(0, 40);
  }

  /** {@code value} itself when only letters, digits and {@code ._:-}, else {@code sha256-} and its digest. */
  static String safe(String value) {
    return SAFE.matcher(value).matches() ? value : "sha256-" + Digests.sha256(value);
  }

  private static List<String> files(@Nullable String stdout) {
    if (stdout == null || stdout.isBlank()) {
      return List.of();
    }
    return stdout.lines().filter(l -> !l.isBlank()).toList();
  }

  private static String cut(@Nullable String s, int max) {
    String t = s == null ? "" : s.strip();
    return t.length() <= max ? t : t.substring(0, max) + "...";
  }

  private ActionResult result(ExecutionContext context, ActionResult.Status status, String message) {
    return new ActionResult(context.idempotencyKey(), status, message, clock.now());
  }

  /** Builds an {@link SsmLogTruncateExecutor}. */
  public static final class Builder {
    private final SsmClient ssm;
    private String tagKey = DEFAULT_NODE_TAG_KEY;
    private String tagValue = DEFAULT_NODE_TAG_VALUE;
    private List<String> allowedPrefixes = LogPaths.DEFAULT_ALLOWED;
    private Clock clock = Clock.system();
    private Duration commandTimeout = Duration.ofMinutes(5);
    private Duration pollInterval = Duration.ofSeconds(2);
    private Duration history = Duration.ofDays(7);

    private Builder(SsmClient ssm) {
      this.ssm = Objects.requireNonNull(ssm, "ssm");
    }

    /**
     * Only nodes tagged {@code key=value} are commanded (default
     * {@value #DEFAULT_NODE_TAG_KEY}{@code =}{@value #DEFAULT_NODE_TAG_VALUE}).
     */
    public Builder setNodeTag(String key, String value) {
      if (key == null || key.isBlank() || key.length() > 128 || value == null || value.isBlank()
          || value.length() > 256) {
        throw new IllegalArgumentException("node tag must be a key of 1-128 and a value of 1-256 characters, but was '"
            + key + "' = '" + value + "'");
      }
      this.tagKey = key;
      this.tagValue = value;
      return this;
    }

    /** Directories whose files may be emptied (default {@code /var/log/}); each absolute, normalised, ending in '/'. */
    public Builder setAllowedPrefixes(List<String> prefixes) {
      this.allowedPrefixes = LogPaths.allowList(prefixes);
      return this;
    }

    /** The clock waits and the history window follow (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a command may run, and the executor wait for it (default 5 minutes; 30 s to 48 h). */
    public Builder setCommandTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofSeconds(30)) < 0
          || timeout.compareTo(Duration.ofHours(48)) > 0) {
        throw new IllegalArgumentException("commandTimeout must be 30s to 48h, but was " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /** How often a running command is read (default 2 s). */
    public Builder setPollInterval(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, but was " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * How far back a node's commands are read for the same key and newer fencing tokens (default 7 days; at most 30,
     * SSM's own retention).
     */
    public Builder setHistory(Duration history) {
      if (history == null || history.compareTo(Duration.ofHours(1)) < 0 || history.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException("history must be 1h to 30 days, but was " + history);
      }
      this.history = history;
      return this;
    }

    /** The executor. */
    public SsmLogTruncateExecutor build() {
      return new SsmLogTruncateExecutor(this);
    }
  }
}
