package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.Require;
import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Notifier;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack as the agent's {@link ApprovalChannel} and a {@link Notifier}.
 *
 * <p>A plan that waits for a human is posted to one channel with the incident, the diagnosis, the exact actions, the
 * safety gate's verdicts, the expiry, and Approve / Reject buttons. A click comes back as Slack's interaction
 * callback ({@link #handleInteraction}, or {@link SlackInteractionServer} on {@value #INTERACTIONS_PATH}); it becomes
 * an {@link ApprovalDecision} only when
 * <ul>
 *   <li>the request is signed with the app's signing secret and was signed within five minutes, and the same
 *       signed request was not seen before (a captured callback cannot be replayed);</li>
 *   <li>the workspace is the configured one (when one is configured);</li>
 *   <li>the Slack user is a configured approver: the role the agent checks is the one configured for that user ID,
 *       never anything the request says;</li>
 *   <li>the request is still pending for that exact plan, unanswered and unexpired (the first answer wins; a second
 *       click, a click on an old message or on a superseded plan is told so and decides nothing).</li>
 * </ul>
 * Everything else is refused, counted ({@link #counters()}) and logged; the agent then re-checks the plan hash, the
 * role, the expiry and every guardrail itself. Later events of the incident follow in the message's thread, and the
 * buttons are replaced with the outcome. Escalations of incidents that had no message are posted on their own.
 *
 * <p>Calls to Slack run on one background thread and never block the agent: a failure is retried (rate limits
 * after Slack's {@code Retry-After}, server errors and network errors with backoff) and then logged with Slack's
 * error code and what to do. A request that never reaches Slack expires and escalates: nothing is approved by a
 * failure. The bot token needs the {@code chat:write} scope and the app must be in the channel.
 */
public final class SlackChatOps implements ApprovalChannel, Notifier, AutoCloseable {
  /** The Approve button's {@code action_id}. */
  public static final String ACTION_APPROVE = "sreagent.approve";
  /** The Reject button's {@code action_id}. */
  public static final String ACTION_REJECT = "sreagent.reject";
  /** Where {@link SlackInteractionServer} serves the callbacks (the app's "Interactivity Request URL"). */
  public static final String INTERACTIONS_PATH = "/slack/interactions";
  /** Where {@link SlackInteractionServer} serves the slash command (the command's "Request URL"). */
  public static final String COMMANDS_PATH = "/slack/commands";
  /** Slack's Web API. */
  public static final String DEFAULT_API_URL = "https://slack.com/api";
  /** The largest callback body read; Slack's block_actions payloads are a few kilobytes. */
  public static final int MAX_BODY_BYTES = 256 * 1024;
  /** The configuration keys {@link #fromConfig} reads ({@code chatops.slack.listen} is the run's). */
  public static final Set<String> KEYS = Set.of("chatops.slack.channel", "chatops.slack.token-env",
      "chatops.slack.signing-secret-env", "chatops.slack.approvers", "chatops.slack.team", "chatops.slack.api-url",
      "chatops.slack.timeout", "chatops.slack.listen");

  private static final Logger LOG = LoggerFactory.getLogger(SlackChatOps.class);
  private static final ChatConfig.ApproverIds APPROVER_IDS = new ChatConfig.ApproverIds("chatops.slack.approvers",
      java.util.regex.Pattern.compile("[UW][A-Z0-9]{2,}"), false, "USERID:ROLE", "U0123:sre, U0456:sre",
      "a Slack member ID such as U0123ABCD, from the member's profile, then the role the agent's approver-roles"
          + " allow", "member");
  private static final Duration EPHEMERAL_GAP = Duration.ofSeconds(10);
  private static final boolean URGENT = true;
  private static final boolean NOTES = false;
  /** Counters reported from the start, so that alerts see their first increase. */
  static final List<String> ALWAYS_COUNTED = List.of("posted.requests", "updated", "failed", "accepted.approve",
      "accepted.reject", "refused.signature", "refused.stale", "refused.replayed", "refused.not-approver",
      "refused.not-pending");
  private static final int REMEMBERED = ChatApprovals.REMEMBERED;
  /** The line each of these adds to the message, in place of its buttons. */
  private static final Map<IncidentEvent.Kind, String> CLOSING_LINES = Map.of(
      IncidentEvent.Kind.APPROVED, ":ballot_box_with_check: *Approved*: ",
      IncidentEvent.Kind.RESOLVED, ":white_check_mark: *Resolved*: ",
      IncidentEvent.Kind.ROLLED_BACK, ":leftwards_arrow_with_hook: *Rolled back*: ",
      IncidentEvent.Kind.ESCALATED, ":warning: *Escalated*: ");

  private final SlackWebApi api;
  private final SlackSignature signature;
  private final String channel;
  private final Map<String, String> approvers;
  private final @Nullable String team;
  private final java.time.Clock wallClock;
  private final ChatCounters counters = new ChatCounters(ALWAYS_COUNTED);
  private final ChatApprovals approvals;
  /** Requests and the updates of their messages go first; thread replies, notes and ephemerals after. */
  private final ChatDelivery delivery;
  private final Set<String> postQueued = ConcurrentHashMap.newKeySet();
  private final Map<String, Posted> posted = ChatApprovals.lru();
  private final ReplayMemory seen = new ReplayMemory(REMEMBERED);
  private final Map<String, Long> told = ChatApprovals.lru();
  private volatile @Nullable ChatCommands commands;

  private SlackChatOps(Builder b, String token, String signingSecret) {
    this.api = new SlackWebApi(b.apiUrl, token, b.timeout);
    this.signature = new SlackSignature(signingSecret, b.tolerance);
    this.channel = Objects.requireNonNull(b.channel);
    this.approvers = Map.copyOf(b.approvers);
    this.team = b.team;
    this.wallClock = b.wallClock;
    this.approvals = new ChatApprovals(b.agentClock);
    this.delivery = new ChatDelivery("Slack", counters, b.maxAttempts, b.backoff);
  }

  /** A builder; channel, token, signing secret and at least one approver are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The adapter from configuration, every problem named at once: {@code chatops.slack.channel} (the channel ID,
   * {@code C...}), {@code chatops.slack.token-env} and {@code chatops.slack.signing-secret-env} (the names of the
   * environment variables holding the bot token and the signing secret, never the secrets),
   * {@code chatops.slack.approvers} ({@code U0123:sre, U0456:sre-lead}: Slack user IDs and the role each approves
   * as), optional {@code chatops.slack.team} (the workspace ID, {@code T...}), {@code chatops.slack.api-url} and
   * {@code chatops.slack.timeout}.
   *
   * @param environment where the variables are looked up ({@code System::getenv})
   * @param agentClock the agent's clock, for the decisions' time and the requests' expiry
   * @throws ConfigurationException naming each bad or missing key and the fix
   */
  public static SlackChatOps fromConfig(ConfigView config, Function<String, @Nullable String> environment,
      Clock agentClock) {
    return fromConfig(config, environment, agentClock, Set.of());
  }

  /**
   * As {@link #fromConfig(ConfigView, Function, Clock)}, also refusing approvers whose role is not among
   * {@code acceptedRoles} (the agent's approver roles: a click as any other role would be refused by the agent).
   *
   * @param acceptedRoles the agent's approver roles; empty: not checked
   */
  public static SlackChatOps fromConfig(ConfigView config, Function<String, @Nullable String> environment,
      Clock agentClock, Set<String> acceptedRoles) {
    List<String> problems = new ArrayList<>();
    Builder b = builder().setAgentClock(agentClock);
    for (String key : config.keys()) {
      if (key.startsWith("chatops.slack.") && !KEYS.contains(key)) {
        problems.add("unknown key '" + key + "'; the chatops.slack.* keys are " + new TreeSet<>(KEYS));
      }
    }
    String ch = config.get("chatops.slack.channel", "").strip();
    if (ch.isEmpty()) {
      problems.add("chatops.slack.channel is missing: the channel's ID (C0123ABCD: the channel's details in Slack show"
          + " it; in a configuration file ' #' starts a comment, so '#incidents' is no value)");
    } else if (!ch.matches("[CGD][A-Z0-9]{2,}")) {
      problems.add("chatops.slack.channel must be the channel's ID (C0123ABCD: the channel's details in Slack show"
          + " it), not its name; it was '" + ch + "'");
    } else {
      b.setChannel(ch);
    }
    String token = ChatConfig.secret(config, "chatops.slack.token-env", "SLACK_BOT_TOKEN", "the bot token (xoxb-...)",
        environment, problems);
    String secret = ChatConfig.secret(config, "chatops.slack.signing-secret-env", "SLACK_SIGNING_SECRET",
        "the app's signing secret", environment, problems);
    ChatConfig.approvers(config, APPROVER_IDS, acceptedRoles, problems, b::addApprover);
    config.get("chatops.slack.team").map(String::strip).filter(t -> !t.isEmpty()).ifPresent(t -> {
      if (!t.matches("[TE][A-Z0-9]{2,}")) {
        problems.add("chatops.slack.team must be the workspace ID (T0123ABCD), was '" + t + "'");
      } else {
        b.setTeam(t);
      }
    });
    String url = ChatConfig.url("chatops.slack.api-url", config.get("chatops.slack.api-url", DEFAULT_API_URL).strip(),
        DEFAULT_API_URL, "the bot token", problems);
    if (url != null) {
      b.setApiUrl(url);
    }
    ChatConfig.duration(config, "chatops.slack.timeout", b::setTimeout, problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return b.build(Objects.requireNonNull(token), Objects.requireNonNull(secret));
  }

  // ------------------------------------------------------------------ ApprovalChannel

  /**
   * Where clicks are checked against the agent's own pending approvals when this adapter does not know the request
   * (after a restart, the agent restores its pending approvals and the old message's buttons still work). Give it
   * {@code agent::pendingApprovals}, which never waits for the loop.
   */
  public void attach(Supplier<List<ApprovalRequest>> agentPending) {
    approvals.attach(agentPending);
  }

  @Override
  public void request(ApprovalRequest request) {
    String id = request.incident().id();
    approvals.requested(request);
    postQueued.add(id);
    ArrayNode blocks = SlackMessages.requestBlocks(request);
    ObjectNode buttons = SlackMessages.buttons(request);
    String text = SlackMessages.requestText(request);
    String plan = request.planHash().substring(0, Math.min(12, request.planHash().length()));
    delivery.enqueue(URGENT, "post the approval request of " + id, () -> {
      try {
        Posted old = posted(id);
        if (old != null && old.buttons() != null) {  // a replaced plan: its buttons go
          update(old.closedWith(":arrows_counterclockwise: Replaced by plan `" + plan + "` (a new message)."));
        }
        ArrayNode withButtons = blocks.deepCopy();
        withButtons.add(buttons);
        JsonNode answer = api.call("chat.postMessage", message(text, withButtons));
        remember(new Posted(id, answer.path("channel").asText(channel), answer.path("ts").asText(), blocks, text,
            buttons, List.of()));
        count("posted.requests");
      } finally {
        postQueued.remove(id);
      }
    });
  }

  @Override
  public List<ApprovalDecision> poll() {
    return approvals.poll();
  }

  // ------------------------------------------------------------------ Notifier

  @Override
  public void notify(IncidentEvent event) {
    String id = event.incident().id();
    ChatApprovals.Notice notice = approvals.notice(event, posted(id) != null || postQueued.contains(id));
    if (notice == ChatApprovals.Notice.NONE) {
      return;
    }
    boolean note = notice == ChatApprovals.Notice.NOTE;
    String text = SlackMessages.eventText(event);
    delivery.enqueue(NOTES, "post " + event.kind() + " of " + id, () -> {
      Posted p = posted(id);
      if (p == null) {
        if (note) {
          api.call("chat.postMessage", message(text, null).put("mrkdwn", false));
          count("posted.notes");
        }
        return;
      }
      api.call("chat.postMessage", message(text, null).put("mrkdwn", false).put("thread_ts", p.ts())
          .put("channel", p.channel()));
      count("posted.events");
    });
    String line = CLOSING_LINES.get(event.kind());
    if (line != null) {
      String closing = line + SlackMessages.code(event.message());
      delivery.enqueue(URGENT, "show " + event.kind() + " of " + id + " on its message", () -> {
        Posted p = posted(id);
        if (p != null) {
          update(p.closedWith(closing));
        }
      });
    }
  }

  // ------------------------------------------------------------------ callbacks

  /** What to answer Slack. */
  public record Reply(int status, String body, String contentType) {
    /** A plain-text answer. */
    public Reply(int status, String body) {
      this(status, body, "text/plain; charset=utf-8");
    }
  }

  /**
   * What the slash command acts on ({@link #attachCommands}): the agent's kill switch and a status line (in Slack's
   * mrkdwn). Stopping only ever takes away what the agent may do.
   */
  public interface Commands extends ChatCommands {}

  /** How a stop from Slack begins its reason: a resume releases such a stop without {@code --override}. */
  public static final String STOPPED_FROM_SLACK = "stopped from Slack by ";
  /** The longest reason kept; the rest is cut. */
  static final int MAX_REASON = 500;

  /** Answers {@value #COMMANDS_PATH} with {@code commands} (without it the slash command says it is not set up). */
  public void attachCommands(ChatCommands commands) {
    this.commands = Objects.requireNonNull(commands, "commands");
  }

  /**
   * Handles one slash command, signed and checked like a click, for configured approvers only: {@code status},
   * {@code stop REASON} (engages the kill switch), {@code resume REASON} (releases a stop made from Slack;
   * {@code resume --override REASON} releases one made elsewhere), {@code help}. A stop or resume is answered in the
   * channel it was typed in and, when that is not the configured channel, also posted there.
   */
  public Reply handleCommand(@Nullable String timestamp, @Nullable String signature, byte[] body) {
    Instant now = wallClock.instant();
    Reply refused = checked(timestamp, signature, body, now);
    if (refused != null) {
      return refused;
    }
    Map<String, String> f;
    try {
      f = form(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return refuse(400, "malformed", "not a slash command's form: " + e.getMessage());
    }
    if (team != null && !team.equals(f.getOrDefault("team_id", ""))) {
      return refuse(403, "team", "a command from workspace '" + f.getOrDefault("team_id", "") + "', not " + team);
    }
    String user = f.getOrDefault("user_id", "");
    String name = clean(f.getOrDefault("user_name", ""), 80);
    String[] words = f.getOrDefault("text", "").strip().split("\\s+", 2);
    String verb = words[0].toLowerCase(java.util.Locale.ROOT);
    String rest = words.length > 1 ? words[1].strip() : "";
    String command = SlackMessages.escape(clean(f.getOrDefault("command", "/sre-agent"), 40));
    String usage = command + " status | stop REASON | resume REASON (resume --override REASON: a stop made elsewhere)";
    ChatCommands c = commands;
    if (c == null) {
      return answer(false, "This agent takes no commands from Slack (nothing attached to " + COMMANDS_PATH + ").");
    }
    if (verb.isEmpty() || verb.equals("help")) {
      return answer(false, usage);
    }
    if (!Set.of("status", "stop", "resume").contains(verb)) {
      return answer(false, "Unknown: " + SlackMessages.code(clean(verb, 40)) + ". " + usage);
    }
    if (user.isBlank() || !approvers.containsKey(user)) {
      count("refused.not-approver");
      LOG.warn("Slack user {} ran {} {}: not a configured approver (chatops.slack.approvers); nothing done",
          clean(user, 40), clean(f.getOrDefault("command", ""), 40), verb);
      return answer(false, "You are not an approver for sre-agent (chatops.slack.approvers): nothing done.");
    }
    String operator = "slack:" + user + (name.isBlank() ? "" : " (" + name + ")");
    try {
      return switch (verb) {
        case "status" -> {
          count("commands.status");
          yield answer(false, "*" + SlackMessages.escape(c.agent()) + "*\n" + c.status());
        }
        case "stop" -> stop(c, user, operator, clean(rest, MAX_REASON), command);
        default -> resume(c, user, operator, rest, command);
      };
    } catch (RuntimeException e) {
      count("failed.commands");
      LOG.error("{} {} failed", command, verb, e);
      return answer(false, "The agent could not do that: " + SlackMessages.code(String.valueOf(e.getMessage())));
    }
  }

  private Reply stop(ChatCommands c, String user, String operator, String reason, String command) {
    if (reason.isEmpty()) {
      return answer(false, "Say why: " + command + " stop REASON (it is quoted in every denial and the audit log).");
    }
    c.stop(STOPPED_FROM_SLACK + operator + ": " + reason);
    count("commands.stop");
    LOG.warn("{} engaged the kill switch of {} from Slack: {}", operator, c.agent(), reason);
    return announced(":octagonal_sign: <@" + user + "> engaged the kill switch of *" + SlackMessages.escape(c.agent())
        + "*: no action runs until someone resumes. Reason: " + SlackMessages.code(reason));
  }

  private Reply resume(ChatCommands c, String user, String operator, String rest, String command) {
    boolean override = rest.startsWith("--override");
    String reason = clean(override ? rest.substring("--override".length()) : rest, MAX_REASON);
    String current = c.engaged();
    if (current == null) {
      return answer(false, "The kill switch of " + SlackMessages.escape(c.agent()) + " is not engaged: nothing to"
          + " release.");
    }
    if (reason.isEmpty()) {
      return answer(false, "Say why: " + command + " resume REASON (it goes to the audit log).");
    }
    if (!current.startsWith(STOPPED_FROM_SLACK) && !override) {
      return answer(false, "The kill switch was engaged elsewhere (" + SlackMessages.code(current) + "). If you mean"
          + " to release it anyway: " + command + " resume --override REASON");
    }
    c.resume("resumed from Slack by " + operator + (override ? " (override)" : "") + ": " + reason);
    count("commands.resume");
    LOG.warn("{} released the kill switch of {} from Slack{}: {} (it was: {})", operator, c.agent(),
        override ? " (override)" : "", reason, current);
    return announced(":arrow_forward: <@" + user + "> released the kill switch of *" + SlackMessages.escape(c.agent())
        + "*" + (override ? " (override)" : "") + ": actions run again, inside every other guardrail. Reason: "
        + SlackMessages.code(reason) + ". It was: " + SlackMessages.code(current));
  }

  /** The answer in the channel typed in, and the same line in the configured channel. */
  private Reply announced(String mrkdwn) {
    delivery.enqueue(URGENT, "announce a kill switch change", () -> api.call("chat.postMessage",
        message(mrkdwn, null)));
    return answer(true, mrkdwn);
  }

  /** Control characters out, at most {@code max} characters. */
  private static String clean(String s, int max) {
    String flat = s.replaceAll("\\p{Cntrl}", " ").strip();
    return flat.length() > max ? flat.substring(0, max) + "…" : flat;
  }

  /** A slash command's answer: in the channel (everyone sees who stopped the agent) or to the user alone. */
  private static Reply answer(boolean inChannel, String mrkdwn) {
    return new Reply(200, SlackWebApi.JSON.createObjectNode().put("response_type", inChannel ? "in_channel"
        : "ephemeral").put("text", mrkdwn).toString(), "application/json; charset=utf-8");
  }

  /**
   * The checks every callback passes first: not shutting down (503, so a click made during a shutdown is made again
   * after the restart), size, signature, window, replay; null when it passed them.
   */
  private @Nullable Reply checked(@Nullable String timestamp, @Nullable String signature, byte[] body, Instant now) {
    if (delivery.closing()) {  // nobody would take the decision nor update the message: refused, to be made again
      return refuse(503, "closing", "a callback after close(): the adapter is shutting down");
    }
    if (body.length > MAX_BODY_BYTES) {
      return refuse(413, "body", "a callback of " + body.length + " bytes, more than " + MAX_BODY_BYTES);
    }
    Optional<String> bad = this.signature.refusal(timestamp, signature, body, now);
    if (bad.isPresent()) {
      String why = bad.get();
      return refuse(401, why.startsWith("stale") ? "stale" : why.startsWith("missing") ? "unsigned" : "signature",
          why);
    }
    Boolean first = seen.firstSighting(Objects.requireNonNull(signature).strip(),
        now.getEpochSecond() + 2 * this.signature.tolerance().toSeconds(), now.getEpochSecond());
    if (first == null) {
      return refuse(503, "busy", "more than " + REMEMBERED + " signed callbacks within the signature window; refusing"
          + " rather than forgetting one that could be replayed");
    }
    if (!first) {
      return refuse(401, "replayed", "the same signed callback was received before (a replay)");
    }
    return null;
  }

  /**
   * {@code untrusted} text (from telemetry, a reasoner, an operator) made safe for a Slack message: one escaped code
   * span, so it can neither mention, link nor format.
   */
  public static String codeSpan(String untrusted) {
    return SlackMessages.code(untrusted);
  }

  /**
   * Handles one interaction callback, exactly as received (never blocks on Slack: the answer is due within 3 s).
   *
   * @param timestamp the {@code X-Slack-Request-Timestamp} header
   * @param signature the {@code X-Slack-Signature} header
   * @param body the raw body ({@code payload=} and the URL-encoded JSON)
   */
  public Reply handleInteraction(@Nullable String timestamp, @Nullable String signature, byte[] body) {
    Instant now = wallClock.instant();
    Reply refused = checked(timestamp, signature, body, now);
    if (refused != null) {
      return refused;
    }
    JsonNode payload;
    try {
      payload = SlackWebApi.JSON.readTree(form(new String(body, StandardCharsets.UTF_8)).getOrDefault("payload", ""));
    } catch (IOException | IllegalArgumentException e) {
      return refuse(400, "malformed", "not an interaction payload: " + e.getMessage());
    }
    if (payload == null || !payload.isObject()) {
      return refuse(400, "malformed", "no payload= field with a JSON object");
    }
    if (!"block_actions".equals(payload.path("type").asText())) {
      count("ignored");
      return new Reply(200, "");
    }
    String teamId = payload.path("team").path("id").asText(payload.path("user").path("team_id").asText(""));
    if (team != null && !team.equals(teamId)) {
      return refuse(403, "team", "a callback from workspace '" + teamId + "', not " + team);
    }
    JsonNode action = null;
    for (JsonNode a : payload.path("actions")) {
      String actionId = a.path("action_id").asText();
      if (ACTION_APPROVE.equals(actionId) || ACTION_REJECT.equals(actionId)) {
        action = a;
        break;
      }
    }
    if (action == null) {
      count("ignored");
      return new Reply(200, "");
    }
    boolean approve = ACTION_APPROVE.equals(action.path("action_id").asText());
    String incidentId;
    String planHash;
    try {
      JsonNode value = SlackWebApi.JSON.readTree(action.path("value").asText(""));
      incidentId = value.path("incident").asText("");
      planHash = value.path("plan").asText("");
    } catch (IOException e) {
      return refuse(400, "malformed", "the button's value is not the agent's");
    }
    String user = payload.path("user").path("id").asText("");
    String name = payload.path("user").path("username").asText(payload.path("user").path("name").asText(""));
    if (incidentId.isBlank() || planHash.isBlank() || user.isBlank()) {
      return refuse(400, "malformed", "the callback names no incident, plan or user");
    }
    String shownId = SlackMessages.escape(incidentId);
    String role = approvers.get(user);
    if (role == null) {
      count("refused.not-approver");
      LOG.warn("Slack user {} clicked {} on {}: not a configured approver (chatops.slack.approvers); nothing decided",
          user, approve ? "Approve" : "Reject", incidentId);
      ephemeral(payload, user, now, "You are not an approver for sre-agent (chatops.slack.approvers): nothing was"
          + " decided on " + shownId + ".");
      return new Reply(200, "");
    }
    String approver = "slack:" + user + (name.isBlank() ? "" : " (" + name + ")");
    ChatApprovals.Refusal refusal = approvals.answer(incidentId, planHash, user, approver, role, approve,
        (approve ? "approved" : "rejected") + " in Slack");
    if (refusal != null) {
      String stale = switch (refusal.why()) {
        case GONE -> shownId + " is not waiting for an approval any more (answered, expired or closed)";
        case REPLACED -> "this message's plan was replaced by a newer one for " + shownId
            + ": answer the newer message";
        case EXPIRED -> "the request for " + shownId + " expired at " + refusal.expiredAt();
        case ANSWERED -> shownId + " was answered already, by <@" + refusal.earlier() + ">";
      };
      count("refused.not-pending");
      ephemeral(payload, user, now, "Nothing decided: " + stale + ".");
      return new Reply(200, "");
    }
    count(approve ? "accepted.approve" : "accepted.reject");
    LOG.info("{} {} {} in Slack as {}", approver, approve ? "approved" : "rejected", incidentId, role);
    String line = ":hourglass_flowing_sand: <@" + user + "> (" + SlackMessages.code(role) + ") clicked "
        + (approve ? "*Approve*; the agent checks the plan and every guardrail again before it acts."
            : "*Reject*; nothing will run.");
    Posted fromPayload = fromPayload(incidentId, payload);
    delivery.enqueue(URGENT, "mark " + incidentId + " answered", () -> {
      Posted p = posted(incidentId);
      if (p == null && fromPayload != null) {
        p = fromPayload;  // a message an earlier run posted: closed all the same
        remember(p);
      }
      if (p != null) {
        update(p.closedWith(line));
      }
    });
    return new Reply(200, "");
  }

  /** The clicked message, read from the callback, for a request this adapter did not post. */
  private @Nullable Posted fromPayload(String incidentId, JsonNode payload) {
    String ts = payload.path("container").path("message_ts").asText("");
    String ch = payload.path("container").path("channel_id").asText(payload.path("channel").path("id").asText(""));
    JsonNode blocks = payload.path("message").path("blocks");
    if (ts.isEmpty() || ch.isEmpty() || !blocks.isArray()) {
      return null;
    }
    ArrayNode base = SlackWebApi.JSON.createArrayNode();
    for (JsonNode b : blocks) {
      if (!"actions".equals(b.path("type").asText())) {
        base.add(b.deepCopy());
      }
    }
    return new Posted(incidentId, ch, ts, base, payload.path("message").path("text").asText("sre-agent"), null,
        List.of());
  }

  private Reply refuse(int status, String reason, String detail) {
    long n = count("refused." + reason);
    if (Long.bitCount(n) == 1 || n < 10) {
      LOG.warn("refused a Slack callback ({} so far for this reason): {}", n, detail);
    }
    return new Reply(status, status == 401 ? "invalid request signature" : detail);
  }

  /**
   * Tells {@code user} why nothing was decided, at most once per user in {@link #EPHEMERAL_GAP}.
   *
   * @param mrkdwn the text, sent as it is: anything in it from a request is escaped by the caller
   */
  private void ephemeral(JsonNode payload, String user, Instant now, String mrkdwn) {
    synchronized (told) {
      Long last = told.get(user);
      if (last != null && now.getEpochSecond() - last < EPHEMERAL_GAP.toSeconds()) {
        count("ephemeral.suppressed");
        return;
      }
      told.put(user, now.getEpochSecond());
    }
    String ch = payload.path("channel").path("id").asText(payload.path("container").path("channel_id")
        .asText(channel));
    delivery.enqueue(NOTES, "tell " + user + " why nothing was decided", () -> {
      ObjectNode m = message(mrkdwn, null).put("channel", ch).put("user", user);
      api.call("chat.postEphemeral", m);
    });
  }

  private @Nullable Posted posted(String id) {
    synchronized (posted) {
      return posted.get(id);
    }
  }

  private void remember(Posted p) {
    synchronized (posted) {
      posted.put(p.incident(), p);
    }
  }

  /** Shows {@code p} as it now is (its buttons, if still open, and its closing lines). */
  private void update(Posted p) throws ChatCallException, InterruptedException {
    ObjectNode update = SlackWebApi.JSON.createObjectNode().put("channel", p.channel()).put("ts", p.ts())
        .put("text", p.text());
    update.set("blocks", p.render());
    api.call("chat.update", update);
    count("updated");
    remember(p);
  }

  private ObjectNode message(String text, @Nullable ArrayNode blocks) {
    ObjectNode m = SlackWebApi.JSON.createObjectNode().put("channel", channel).put("text", text)
        .put("unfurl_links", false).put("unfurl_media", false);
    if (blocks != null) {
      m.set("blocks", blocks);
    }
    return m;
  }

  static Map<String, String> form(String body) {
    Map<String, String> out = new TreeMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ delivery

  /**
   * Counts of what the adapter did and refused, by name: posted.*, updated, accepted.*, refused.*, failed (every call
   * given up, and a call dropped because the queue was full) and failed.CODE by Slack's error code.
   */
  public Map<String, Long> counters() {
    return counters.snapshot();
  }

  /** The roles the configured approvers approve as. */
  public Set<String> approverRoles() {
    return Set.copyOf(approvers.values());
  }

  /** Calls to Slack queued and not yet made. */
  public int queued() {
    return delivery.queued();
  }

  private long count(String name) {
    return counters.count(name);
  }

  /** Stops after the queued calls are made (at most {@code timeout} of waiting). */
  public void close(Duration timeout) {
    delivery.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "Slack channel " + channel + " via " + api.describe() + " (" + approvers.size() + " approvers)";
  }

  /**
   * A message the adapter posted (or was clicked on): its blocks without buttons, its buttons while open, and the
   * lines that replaced them.
   */
  private record Posted(String incident, String channel, String ts, ArrayNode base, String text,
      @Nullable ObjectNode buttons, List<String> lines) {
    Posted closedWith(String line) {
      List<String> more = new ArrayList<>(lines);
      more.add(line);
      return new Posted(incident, channel, ts, base, text, null, List.copyOf(more));
    }

    ArrayNode render() {
      ArrayNode out = base.deepCopy();
      for (String l : lines) {
        out.add(SlackMessages.section(l));
      }
      if (buttons != null) {
        out.add(buttons.deepCopy());
      }
      return out;
    }
  }

  /** Builds a {@link SlackChatOps}. */
  public static final class Builder {
    private @Nullable String channel;
    private @Nullable String token;
    private @Nullable String signingSecret;
    private final Map<String, String> approvers = new LinkedHashMap<>();
    private @Nullable String team;
    private String apiUrl = DEFAULT_API_URL;
    private Duration timeout = Duration.ofSeconds(10);
    private Duration tolerance = SlackSignature.DEFAULT_TOLERANCE;
    private Clock agentClock = Clock.system();
    private java.time.Clock wallClock = java.time.Clock.systemUTC();
    private int maxAttempts = 5;
    private Duration backoff = Duration.ofSeconds(1);
    private Set<String> acceptedRoles = Set.of();

    private Builder() {}

    /** The channel's ID ({@code C0123ABCD}); the app must be a member. */
    public Builder setChannel(String channel) {
      this.channel = Require.notBlank(channel, "channel");
      return this;
    }

    /** The bot token ({@code xoxb-...}, scope {@code chat:write}). */
    public Builder setToken(String token) {
      this.token = Require.notBlank(token, "token");
      return this;
    }

    /** The app's signing secret. */
    public Builder setSigningSecret(String signingSecret) {
      this.signingSecret = Require.notBlank(signingSecret, "signingSecret");
      return this;
    }

    /** Lets Slack user {@code userId} approve as {@code role} (a role the agent's approver roles allow). */
    public Builder addApprover(String userId, String role) {
      approvers.put(Require.notBlank(userId, "userId"), Require.notBlank(role, "role"));
      return this;
    }

    /** Accepts callbacks from this workspace only ({@code T0123ABCD}). */
    public Builder setTeam(@Nullable String team) {
      this.team = team;
      return this;
    }

    /** The Web API's address (a local emulator in tests). */
    public Builder setApiUrl(String apiUrl) {
      this.apiUrl = Require.notBlank(apiUrl, "apiUrl");
      return this;
    }

    /** Connect and request timeout of each call (default 10 s). */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How old a signed callback may be (default 5 minutes). */
    public Builder setSignatureTolerance(Duration tolerance) {
      this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
      return this;
    }

    /** The agent's clock: decisions are stamped with it and requests expire by it (default: the system clock). */
    public Builder setAgentClock(Clock clock) {
      this.agentClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The wall clock the signature window is checked against (default: the system's UTC clock). */
    public Builder setWallClock(java.time.Clock clock) {
      this.wallClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Attempts per call before it is given up (default 5), and the first backoff (default 1 s, doubling). */
    public Builder setRetries(int maxAttempts, Duration backoff) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Refuses to build when an approver's role is not among {@code roles} (the agent's approver roles, which refuse
     * a decision by any other role); empty: not checked.
     */
    public Builder setAcceptedRoles(Set<String> roles) {
      this.acceptedRoles = Set.copyOf(roles);
      return this;
    }

    /** The adapter; its sender thread starts now. */
    public SlackChatOps build() {
      if (token == null || signingSecret == null) {
        throw new IllegalStateException("setToken and setSigningSecret are required");
      }
      return build(token, signingSecret);
    }

    SlackChatOps build(String token, String signingSecret) {
      if (channel == null) {
        throw new IllegalStateException("setChannel is required");
      }
      ChatConfig.checkApprovers(approvers, acceptedRoles);
      return new SlackChatOps(this, token, signingSecret);
    }
  }
}
