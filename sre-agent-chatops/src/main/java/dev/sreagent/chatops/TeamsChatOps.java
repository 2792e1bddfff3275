package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Teams as the agent's {@link ApprovalChannel} and a {@link Notifier}, as a Bot Framework bot in one
 * channel.
 *
 * <p>A plan that waits for a human is posted to the channel as an Adaptive Card with the incident, the diagnosis, the
 * exact actions, the safety gate's verdicts, the expiry, and Approve / Reject buttons ({@code Action.Execute}). A
 * click comes back as the {@code adaptiveCard/action} invoke the Bot Connector sends to the bot's messaging endpoint
 * ({@link #handleActivity}, or {@link TeamsMessagingServer} on {@value #MESSAGES_PATH}); it becomes an
 * {@link ApprovalDecision} only when
 * <ul>
 *   <li>the request carries the Bot Connector's JWT: signed RS256 with a key the Bot Framework publishes and endorses
 *       for Teams, issued for this bot's app ID, unexpired, naming the activity's service URL; and the same activity
 *       was not seen before (a captured request cannot be replayed while its token is valid);</li>
 *   <li>the activity comes from the configured tenant and the configured channel;</li>
 *   <li>the user (their Microsoft Entra object ID, never their display name) is a configured approver: the role the
 *       agent checks is the one configured for that ID;</li>
 *   <li>the request is still pending for that exact plan, unanswered and unexpired (the first answer wins).</li>
 * </ul>
 * Everything else is refused, counted ({@link #counters()}) and logged; the one who clicked is told why in Teams.
 * The agent then re-checks the plan hash, the role, the expiry and every guardrail itself. Later events of the
 * incident follow as replies in the card's thread, and the card's buttons are replaced with the outcome.
 *
 * <p>Calls to Teams run on one background thread and never block the agent; failures are retried (after the
 * Connector's {@code Retry-After}, else with backoff; a refused token is fetched again) and then logged with the
 * Connector's error code and what to do. Outbound calls always go to the configured service URL, never to one an
 * inbound activity names. The bot's app registration needs a client secret; the bot must be added to the team.
 */
public final class TeamsChatOps implements ApprovalChannel, Notifier, AutoCloseable {
  /** The Approve button's verb. */
  public static final String VERB_APPROVE = "sreagent.approve";
  /** The Reject button's verb. */
  public static final String VERB_REJECT = "sreagent.reject";
  /** Where {@link TeamsMessagingServer} serves the activities (the bot's messaging endpoint). */
  public static final String MESSAGES_PATH = "/api/messages";
  /** The Bot Connector of the public cloud. */
  public static final String DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/";
  /** The Bot Framework's OpenID metadata, whose keys sign what the Connector sends. */
  public static final String DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration";
  /** The largest activity read; a click's invoke is a few kilobytes. */
  public static final int MAX_BODY_BYTES = 256 * 1024;
  /** Someone who is no approver is answered at most this often (replies to approvers are never held back). */
  static final Duration ANSWER_GAP = Duration.ofSeconds(10);
  /** How a stop from Teams begins its reason: a resume releases such a stop without {@code --override}. */
  public static final String STOPPED_FROM_TEAMS = "stopped from Teams by ";
  /** The longest activity ID taken (Teams' are a few dozen characters): each click's is remembered for an hour. */
  static final int MAX_ID = 256;
  /** The configuration keys {@link #fromConfig} reads ({@code chatops.teams.listen} is the run's). */
  public static final Set<String> KEYS = Set.of("chatops.teams.app-id", "chatops.teams.app-password-env",
      "chatops.teams.tenant", "chatops.teams.conversation", "chatops.teams.approvers", "chatops.teams.service-url",
      "chatops.teams.token-url", "chatops.teams.openid-url", "chatops.teams.timeout", "chatops.teams.listen");

  private static final Logger LOG = LoggerFactory.getLogger(TeamsChatOps.class);
  private static final Pattern GUID = Pattern.compile(
      "(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final ChatConfig.ApproverIds APPROVER_IDS = new ChatConfig.ApproverIds("chatops.teams.approvers",
      GUID, true, "OBJECT-ID:ROLE", "the user's Microsoft Entra object ID, a GUID, then the role", "the user's object"
          + " ID in Microsoft Entra, a GUID, not their name or e-mail; then the role the agent's approver-roles allow",
      "user");
  private static final boolean URGENT = true;
  private static final boolean NOTES = false;
  private static final Map<IncidentEvent.Kind, String> CLOSING_LINES = Map.of(
      IncidentEvent.Kind.APPROVED, "☑ Approved: ",
      IncidentEvent.Kind.RESOLVED, "✅ Resolved: ",
      IncidentEvent.Kind.ROLLED_BACK, "↩ Rolled back: ",
      IncidentEvent.Kind.ESCALATED, "⚠ Escalated: ");

  private final BotConnector connector;
  private final BotFrameworkJwt jwt;
  private final String tenant;
  private final String conversation;
  private final Map<String, String> approvers;
  private final java.time.Clock wallClock;
  private final ChatCounters counters = new ChatCounters(SlackChatOps.ALWAYS_COUNTED);
  private final ChatApprovals approvals;
  private final ChatDelivery delivery;
  private final Set<String> postQueued = ConcurrentHashMap.newKeySet();
  private final Map<String, Posted> posted = ChatApprovals.lru();
  private final ReplayMemory seen = new ReplayMemory(ChatApprovals.REMEMBERED);
  private volatile @Nullable ChatCommands commands;
  /** When each user who is no approver was last answered: at most once in {@link #ANSWER_GAP}. */
  private final Map<String, Long> told = ChatApprovals.lru();

  private TeamsChatOps(Builder b, String appPassword) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER)
        .build();
    String appId = Objects.requireNonNull(b.appId);
    this.tenant = Objects.requireNonNull(b.tenant).toLowerCase(Locale.ROOT);
    this.conversation = Objects.requireNonNull(b.conversation);
    URI tokenUrl = URI.create(b.tokenUrl != null ? b.tokenUrl
        : "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token");
    this.connector = new BotConnector(http, b.serviceUrl, conversation,
        new BotFrameworkTokens(http, tokenUrl, appId, appPassword, b.timeout, b.wallClock), b.timeout);
    this.jwt = new BotFrameworkJwt(http, URI.create(b.openIdUrl), appId, b.timeout, b.wallClock);
    this.approvers = Map.copyOf(b.approvers);
    this.wallClock = b.wallClock;
    this.approvals = new ChatApprovals(b.agentClock);
    this.delivery = new ChatDelivery("Teams", counters, b.maxAttempts, b.backoff);
  }

  /** A builder; app ID, app password, tenant, conversation and at least one approver are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The adapter from configuration, every problem named at once: {@code chatops.teams.app-id} (the bot's Microsoft
   * App ID), {@code chatops.teams.app-password-env} (the name of the environment variable holding its client secret,
   * never the secret), {@code chatops.teams.tenant} (the directory ID), {@code chatops.teams.conversation} (the
   * channel's conversation ID, {@code 19:...@thread.tacv2}), {@code chatops.teams.approvers}
   * ({@code OBJECT-ID:sre, ...}: Microsoft Entra object IDs and the role each approves as), optional
   * {@code chatops.teams.service-url}, {@code chatops.teams.token-url}, {@code chatops.teams.openid-url} and
   * {@code chatops.teams.timeout}.
   *
   * @param environment where the variable is looked up ({@code System::getenv})
   * @param agentClock the agent's clock, for the decisions' time and the requests' expiry
   * @param acceptedRoles the agent's approver roles (a click as any other role would be refused); empty: not checked
   * @throws ConfigurationException naming each bad or missing key and the fix
   */
  public static TeamsChatOps fromConfig(ConfigView config, Function<String, @Nullable String> environment,
      Clock agentClock, Set<String> acceptedRoles) {
    List<String> problems = new ArrayList<>();
    Builder b = builder().setAgentClock(agentClock);
    for (String key : config.keys()) {
      if (key.startsWith("chatops.teams.") && !KEYS.contains(key)) {
        problems.add("unknown key '" + key + "'; the chatops.teams.* keys are " + new TreeSet<>(KEYS));
      }
    }
    guid(config, "chatops.teams.app-id", "the bot's Microsoft App ID (Azure Bot resource, Configuration)", problems)
        .ifPresent(b::setAppId);
    guid(config, "chatops.teams.tenant", "the directory (tenant) ID of your Microsoft Entra tenant", problems)
        .ifPresent(b::setTenant);
    String password = ChatConfig.secret(config, "chatops.teams.app-password-env", "TEAMS_APP_PASSWORD",
        "the client secret of the bot's app registration", environment, problems);
    String conv = config.get("chatops.teams.conversation", "").strip();
    if (conv.isEmpty()) {
      problems.add("chatops.teams.conversation is missing: the channel's conversation ID (19:...@thread.tacv2: in"
          + " Teams, the channel's 'Get link to channel' holds it, URL-encoded, after /channel/)");
    } else if (!conv.matches("(19|a|8):[^\\s;]+")) {
      problems.add("chatops.teams.conversation must be the channel's conversation ID (19:...@thread.tacv2, decoded"
          + " from the channel's link), not its name; it was '" + ChatConfig.shown(conv, 60) + "'");
    } else {
      b.setConversation(conv);
    }
    ChatConfig.approvers(config, APPROVER_IDS, acceptedRoles, problems, b::addApprover);
    String service = ChatConfig.url("chatops.teams.service-url", config.get("chatops.teams.service-url",
        DEFAULT_SERVICE_URL).strip(), DEFAULT_SERVICE_URL, "the bot's token", problems);
    if (service != null) {
      b.setServiceUrl(service);
    }
    config.get("chatops.teams.token-url").map(String::strip).ifPresent(u -> {
      String url = ChatConfig.url("chatops.teams.token-url", u, "https://login.microsoftonline.com/TENANT/oauth2/v2.0"
          + "/token", "the client secret", problems);
      if (url != null) {
        b.setTokenUrl(url);
      }
    });
    config.get("chatops.teams.openid-url").map(String::strip).ifPresent(u -> {
      String url = ChatConfig.url("chatops.teams.openid-url", u, DEFAULT_OPENID_URL, "trust in every click",
          problems);
      if (url != null) {
        b.setOpenIdUrl(url);
      }
    });
    ChatConfig.duration(config, "chatops.teams.timeout", b::setTimeout, problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return b.build(Objects.requireNonNull(password));
  }

  private static java.util.Optional<String> guid(ConfigView config, String key, String what, List<String> problems) {
    String v = config.get(key, "").strip();
    if (v.isEmpty()) {
      problems.add(key + " is missing: " + what + ", a GUID");
    } else if (!GUID.matcher(v).matches()) {
      problems.add(key + " must be " + what + ", a GUID such as 00000000-0000-0000-0000-000000000000; it was '"
          + ChatConfig.shown(v, 60) + "'");
    } else {
      return java.util.Optional.of(v);
    }
    return java.util.Optional.empty();
  }

  // ------------------------------------------------------------------ ApprovalChannel

  /**
   * Where clicks are checked against the agent's own pending approvals when this adapter does not know the request
   * (after a restart the old card's buttons still work). Give it {@code agent::pendingApprovals}.
   */
  public void attach(Supplier<List<ApprovalRequest>> agentPending) {
    approvals.attach(agentPending);
  }

  @Override
  public void request(ApprovalRequest request) {
    String id = request.incident().id();
    approvals.requested(request);
    postQueued.add(id);
    String plan = request.planHash().substring(0, Math.min(12, request.planHash().length()));
    delivery.enqueue(URGENT, "post the approval request of " + id, () -> {
      try {
        Posted old = posted(id);
        if (old != null && old.open()) {  // a replaced plan: its buttons go
          update(old.closedWith("🔄 Replaced by plan " + plan + " (a new card)."));
        }
        ObjectNode card = TeamsCards.card(request, List.of(), true);
        String activity = connector.send(TeamsCards.activity(TeamsCards.requestText(request), card));
        remember(new Posted(id, activity, request, List.of(), true));
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
    ObjectNode text = TeamsCards.message(TeamsCards.eventText(event));
    delivery.enqueue(NOTES, "post " + event.kind() + " of " + id, () -> {
      Posted p = posted(id);
      if (p == null) {
        if (note) {
          connector.send(text);
          count("posted.notes");
        }
        return;
      }
      connector.reply(p.activity(), text);
      count("posted.events");
    });
    String line = CLOSING_LINES.get(event.kind());
    if (line != null) {
      String closing = line + event.message();
      delivery.enqueue(URGENT, "show " + event.kind() + " of " + id + " on its card", () -> {
        Posted p = posted(id);
        if (p != null) {
          update(p.closedWith(closing));
        }
      });
    }
  }

  // ------------------------------------------------------------------ the messaging endpoint

  /**
   * Handles one activity the Bot Connector sent to the messaging endpoint, exactly as received (never blocks on
   * Teams; it may read the Bot Framework's signing keys, at most once a minute). After {@link #close} every activity
   * is refused (503), so a click made during a shutdown can be made again after the restart.
   *
   * @param authorization the {@code Authorization} header
   * @param body the raw body (the activity's JSON)
   */
  public ChatReply handleActivity(@Nullable String authorization, byte[] body) {
    if (delivery.closing()) {  // nobody would take the decision nor mark the card answered: Teams says try again
      return refuse(503, "closing", "an activity after close(): the adapter is shutting down");
    }
    if (body.length > MAX_BODY_BYTES) {
      return refuse(413, "body", "an activity of " + body.length + " bytes, more than " + MAX_BODY_BYTES);
    }
    JsonNode activity;
    try {
      activity = SlackWebApi.JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      activity = null;
    }
    if (activity == null || !activity.isObject()) {
      return refuse(400, "malformed", "not an activity (a JSON object)");
    }
    BotFrameworkJwt.Check checked;
    try {
      checked = jwt.check(authorization, activity.path("serviceUrl").asText(""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return refuse(503, "busy", "interrupted while reading the signing keys");
    }
    if (checked instanceof BotFrameworkJwt.Refused r) {
      return refuse(r.status(), r.reason(), r.detail());
    }
    long expires = ((BotFrameworkJwt.Verified) checked).expires();
    String activityId = activity.path("id").asText("");
    if (activityId.isBlank() || activityId.length() > MAX_ID) {
      return refuse(400, "malformed", "an activity without an id, or with one of " + activityId.length()
          + " characters");
    }
    String from = activity.path("channelData").path("tenant").path("id").asText(
        activity.path("conversation").path("tenantId").asText(""));
    if (!"msteams".equals(activity.path("channelId").asText()) || !tenant.equalsIgnoreCase(from)) {
      return refuse(403, "tenant", "an activity from channel '" + clip(activity.path("channelId").asText()) + "',"
          + " tenant '" + clip(from) + "', not msteams and " + tenant);
    }
    if ("message".equals(activity.path("type").asText())) {
      return command(activity, expires);
    }
    if (!"invoke".equals(activity.path("type").asText())
        || !"adaptiveCard/action".equals(activity.path("name").asText())) {
      count("ignored");
      return new ChatReply(200, "");
    }
    return click(activity, expires);
  }

  /**
   * Null when {@code activity} in {@code conv} (the configured conversation, without its {@code ;messageid=}: the
   * same activity is the same whichever thread it names) was not seen before; the refusal otherwise.
   */
  private @Nullable ChatReply replayed(JsonNode activity, String conv, long expires) {
    Boolean first = seen.firstSighting(activity.path("id").asText() + "|" + conv, expires,
        wallClock.instant().getEpochSecond());
    if (first == null) {
      return refuse(503, "busy", "more than " + ChatApprovals.REMEMBERED + " activities within their tokens' life;"
          + " refusing rather than forgetting one that could be replayed");
    }
    return first ? null : refuse(401, "replayed", "the same activity was received before (a replay)");
  }

  private static String conversationOf(JsonNode activity) {
    return activity.path("conversation").path("id").asText("").split(";", 2)[0];
  }

  /**
   * A click in the configured tenant, its token verified (until {@code expires}, epoch seconds). Only clicks in the
   * configured conversation are remembered against replays: what other tenants and channels send cannot fill the
   * memory.
   */
  private ChatReply click(JsonNode activity, long expires) {
    String conv = conversationOf(activity);
    if (!conversation.equals(conv)) {
      return refuse(403, "conversation", "a click in conversation '" + clip(conv) + "', not " + conversation);
    }
    ChatReply replay = replayed(activity, conv, expires);
    if (replay != null) {
      return replay;
    }
    JsonNode action = activity.path("value").path("action");
    String verb = action.path("verb").asText("");
    if (!VERB_APPROVE.equals(verb) && !VERB_REJECT.equals(verb)) {
      count("ignored");
      return ChatReply.json(200, TeamsCards.messageResponse("sre-agent does not know that button."));
    }
    boolean approve = VERB_APPROVE.equals(verb);
    String incidentId = action.path("data").path("incident").asText("");
    String planHash = action.path("data").path("plan").asText("");
    String user = activity.path("from").path("aadObjectId").asText("").toLowerCase(Locale.ROOT);
    String name = clip(activity.path("from").path("name").asText(""));
    if (incidentId.isBlank() || planHash.isBlank() || user.isBlank()) {
      return refuse(400, "malformed", "the click names no incident, plan or user");
    }
    String role = approvers.get(user);
    if (role == null) {
      count("refused.not-approver");
      LOG.warn("Teams user {} clicked {} on {}: not a configured approver (chatops.teams.approvers); nothing decided",
          user, approve ? "Approve" : "Reject", clip(incidentId));
      return ChatReply.json(200, TeamsCards.messageResponse("You are not an approver for sre-agent"
          + " (chatops.teams.approvers): nothing was decided on " + clip(incidentId) + "."));
    }
    String approver = "teams:" + user + (name.isBlank() ? "" : " (" + name + ")");
    ApprovalRequest req = approvals.request(incidentId);
    ChatApprovals.Refusal refusal = approvals.answer(incidentId, planHash, user, approver, role, approve,
        (approve ? "approved" : "rejected") + " in Teams");
    if (refusal != null || req == null) {
      String shown = clip(incidentId);
      String stale = refusal == null ? shown + " is not waiting for an approval any more" : switch (refusal.why()) {
        case GONE -> shown + " is not waiting for an approval any more (answered, expired or closed)";
        case REPLACED -> "this card's plan was replaced by a newer one for " + shown + ": answer the newer card";
        case EXPIRED -> "the request for " + shown + " expired at " + refusal.expiredAt();
        case ANSWERED -> shown + " was answered already, by " + (approvers.containsKey(refusal.earlier())
            ? refusal.earlier() : "someone else");
      };
      count("refused.not-pending");
      return ChatReply.json(200, TeamsCards.messageResponse("Nothing decided: " + stale + "."));
    }
    count(approve ? "accepted.approve" : "accepted.reject");
    LOG.info("{} {} {} in Teams as {}", approver, approve ? "approved" : "rejected", incidentId, role);
    String line = "⏳ " + (name.isBlank() ? user : name) + " (" + role + ") clicked " + (approve
        ? "Approve; the agent checks the plan and every guardrail again before it acts." : "Reject; nothing will run.");
    Posted p = posted(incidentId);
    if (p == null) {  // a card an earlier run posted: closed all the same
      p = new Posted(incidentId, activity.path("replyToId").asText(""), req, List.of(), true);
    }
    Posted closed = p.closedWith(line);
    remember(closed);
    if (!closed.activity().isBlank()) {
      delivery.enqueue(URGENT, "mark " + incidentId + " answered", () -> update(posted(incidentId)));
    }
    return ChatReply.json(200, TeamsCards.cardResponse(closed.card()));
  }

  // ------------------------------------------------------------------ commands

  /** Makes {@code @sre-agent stop|resume|status} in the configured channel act on {@code commands}. */
  public void attachCommands(ChatCommands commands) {
    this.commands = Objects.requireNonNull(commands, "commands");
  }

  /**
   * A message mentioning the bot in the configured channel, checked like a click (token, tenant, replay), for
   * configured approvers only: {@code status}, {@code stop REASON}, {@code resume REASON} (a stop made from Teams;
   * {@code resume --override REASON} one made elsewhere), {@code help}. Answered in the message's thread, which
   * everyone in the channel sees; someone who is no approver at most once in {@link #ANSWER_GAP}, after the cards
   * and their updates, so a flood of mentions cannot crowd out an approval request.
   */
  private ChatReply command(JsonNode activity, long expires) {
    String conv = conversationOf(activity);
    if (!conversation.equals(conv)) {
      count("ignored");  // a chat with the bot elsewhere: commands are taken where everyone sees them
      return new ChatReply(200, "");
    }
    ChatReply replay = replayed(activity, conv, expires);
    if (replay != null) {
      return replay;
    }
    String[] words = said(activity.path("text").asText("")).split("\\s+", 2);
    String verb = words[0].toLowerCase(Locale.ROOT);
    String rest = words.length > 1 ? words[1].strip() : "";
    String user = activity.path("from").path("aadObjectId").asText("").toLowerCase(Locale.ROOT);
    String name = clip(activity.path("from").path("name").asText(""));
    String answer = answer(verb, rest, user, name);
    boolean approver = approvers.containsKey(user);
    if (!approver && !firstAnswerIn(user, ANSWER_GAP)) {
      count("answers.suppressed");  // anyone in the channel can mention the bot: no flood reaches the queue
      return new ChatReply(200, "");
    }
    String to = activity.path("id").asText();
    delivery.enqueue(approver ? URGENT : NOTES, "answer a command in Teams", () -> {
      connector.reply(to, TeamsCards.message(answer));
      count("posted.answers");
    });
    return new ChatReply(200, "");
  }

  /** Whether {@code user} was not answered within {@code gap} (then remembered as answered now). */
  private boolean firstAnswerIn(String user, Duration gap) {
    long now = wallClock.instant().getEpochSecond();
    synchronized (told) {
      Long last = told.get(user);
      if (last != null && now - last < gap.toSeconds()) {
        return false;
      }
      told.put(user, now);
      return true;
    }
  }

  private String answer(String verb, String rest, String user, String name) {
    String usage = "@sre-agent status | stop REASON | resume REASON (resume --override REASON: a stop made elsewhere)";
    ChatCommands c = commands;
    if (c == null) {
      return "This agent takes no commands from Teams (nothing attached).";
    }
    if (verb.isEmpty() || verb.equals("help")) {
      return usage;
    }
    if (!Set.of("status", "stop", "resume").contains(verb)) {
      return "Unknown: '" + SlackMessages.cut(verb, 40) + "'. " + usage;
    }
    if (user.isBlank() || !approvers.containsKey(user)) {
      count("refused.not-approver");
      LOG.warn("Teams user {} ran {}: not a configured approver (chatops.teams.approvers); nothing done", clip(user),
          verb);
      return "You are not an approver for sre-agent (chatops.teams.approvers): nothing done.";
    }
    String operator = "teams:" + user + (name.isBlank() ? "" : " (" + name + ")");
    String who = name.isBlank() ? user : name;
    try {
      switch (verb) {
        case "status" -> {
          count("commands.status");
          return c.agent() + "\n" + c.status();
        }
        case "stop" -> {
          String reason = SlackMessages.cut(rest, SlackChatOps.MAX_REASON);
          if (reason.isEmpty()) {
            return "Say why: @sre-agent stop REASON (it is quoted in every denial and the audit log).";
          }
          c.stop(STOPPED_FROM_TEAMS + operator + ": " + reason);
          count("commands.stop");
          LOG.warn("{} engaged the kill switch of {} from Teams: {}", operator, c.agent(), reason);
          return "⛔ " + who + " engaged the kill switch of " + c.agent() + ": no action runs until someone resumes."
              + " Reason: " + reason;
        }
        default -> {
          boolean override = rest.startsWith("--override");
          String reason = SlackMessages.cut((override ? rest.substring("--override".length()) : rest).strip(),
              SlackChatOps.MAX_REASON);
          String current = c.engaged();
          if (current == null) {
            return "The kill switch of " + c.agent() + " is not engaged: nothing to release.";
          }
          if (reason.isEmpty()) {
            return "Say why: @sre-agent resume REASON (it goes to the audit log).";
          }
          if (!current.startsWith(STOPPED_FROM_TEAMS) && !override) {
            return "The kill switch was engaged elsewhere (" + current + "). If you mean to release it anyway:"
                + " @sre-agent resume --override REASON";
          }
          c.resume("resumed from Teams by " + operator + (override ? " (override)" : "") + ": " + reason);
          count("commands.resume");
          LOG.warn("{} released the kill switch of {} from Teams{}: {} (it was: {})", operator, c.agent(),
              override ? " (override)" : "", reason, current);
          return "▶ " + who + " released the kill switch of " + c.agent() + (override ? " (override)" : "")
              + ": actions run again, inside every other guardrail. Reason: " + reason + ". It was: " + current;
        }
      }
    } catch (RuntimeException e) {
      count("failed.commands");
      LOG.error("a command from Teams ({}) failed", verb, e);
      return "The agent could not do that: " + e.getMessage();
    }
  }

  /** What the user typed: the bot's mention, tags and entities taken out, on one line. */
  static String said(String text) {
    return text.replaceAll("(?is)<at>.*?</at>", " ").replaceAll("<[^>]*>", " ").replace("&nbsp;", " ")
        .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
        .replaceAll("\\p{Cntrl}", " ").strip();
  }

  private ChatReply refuse(int status, String reason, String detail) {
    long n = count("refused." + reason);
    if (Long.bitCount(n) == 1 || n < 10) {
      LOG.warn("refused a Teams activity ({} so far for this reason): {}", n, detail);
    }
    return new ChatReply(status, status == 401 ? "Unauthorized" : detail);
  }

  private static String clip(String s) {
    String flat = s.replaceAll("\\p{Cntrl}", " ").strip();
    return flat.length() > 80 ? flat.substring(0, 80) + "…" : flat;
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

  /** Shows {@code p} as it now is on its card (buttons, if still open, and closing lines). */
  private void update(@Nullable Posted p) throws ChatCallException, InterruptedException {
    if (p == null || p.activity().isBlank()) {
      return;
    }
    connector.update(p.activity(), TeamsCards.activity(TeamsCards.requestText(p.request()), p.card()));
    count("updated");
    remember(p);
  }

  // ------------------------------------------------------------------ delivery

  /**
   * Counts of what the adapter did and refused, by name: posted.*, updated, accepted.*, refused.*, failed (every call
   * given up, and a call dropped because the queue was full) and failed.CODE by the Connector's error code.
   */
  public Map<String, Long> counters() {
    return counters.snapshot();
  }

  /** The roles the configured approvers approve as. */
  public Set<String> approverRoles() {
    return Set.copyOf(approvers.values());
  }

  /** Calls to Teams queued and not yet made. */
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
    return "Teams conversation " + connector.describe() + " (" + approvers.size() + " approvers)";
  }

  /** A card the adapter posted (or was clicked on): its request, its closing lines, whether its buttons show. */
  private record Posted(String incident, String activity, ApprovalRequest request, List<String> lines, boolean open) {
    Posted closedWith(String line) {
      List<String> more = new ArrayList<>(lines);
      more.add(line);
      return new Posted(incident, activity, request, List.copyOf(more), false);
    }

    ObjectNode card() {
      return TeamsCards.card(request, lines, open);
    }
  }

  /** Builds a {@link TeamsChatOps}. */
  public static final class Builder {
    private @Nullable String appId;
    private @Nullable String appPassword;
    private @Nullable String tenant;
    private @Nullable String conversation;
    private final Map<String, String> approvers = new LinkedHashMap<>();
    private String serviceUrl = DEFAULT_SERVICE_URL;
    private @Nullable String tokenUrl;
    private String openIdUrl = DEFAULT_OPENID_URL;
    private Duration timeout = Duration.ofSeconds(10);
    private Clock agentClock = Clock.system();
    private java.time.Clock wallClock = java.time.Clock.systemUTC();
    private int maxAttempts = 5;
    private Duration backoff = Duration.ofSeconds(1);
    private Set<String> acceptedRoles = Set.of();

    private Builder() {}

    /** The bot's Microsoft App ID (a GUID): the audience of every token the Connector sends. */
    public Builder setAppId(String appId) {
      this.appId = Require.notBlank(appId, "appId").toLowerCase(Locale.ROOT);
      return this;
    }

    /** The client secret of the bot's app registration. */
    public Builder setAppPassword(String appPassword) {
      this.appPassword = Require.notBlank(appPassword, "appPassword");
      return this;
    }

    /** The directory (tenant) ID: the token is asked of it, and activities from other tenants are refused. */
    public Builder setTenant(String tenant) {
      this.tenant = Require.notBlank(tenant, "tenant");
      return this;
    }

    /** The channel's conversation ID ({@code 19:...@thread.tacv2}); the bot must be in its team. */
    public Builder setConversation(String conversation) {
      this.conversation = Require.notBlank(conversation, "conversation");
      return this;
    }

    /** Lets the user with this Microsoft Entra object ID approve as {@code role}. */
    public Builder addApprover(String objectId, String role) {
      approvers.put(Require.notBlank(objectId, "objectId").toLowerCase(Locale.ROOT), Require.notBlank(role, "role"));
      return this;
    }

    /** The Bot Connector's address (default {@value #DEFAULT_SERVICE_URL}; a local emulator in tests). */
    public Builder setServiceUrl(String serviceUrl) {
      this.serviceUrl = Require.notBlank(serviceUrl, "serviceUrl");
      return this;
    }

    /** The token endpoint (default: the tenant's on {@code login.microsoftonline.com}). */
    public Builder setTokenUrl(String tokenUrl) {
      this.tokenUrl = Require.notBlank(tokenUrl, "tokenUrl");
      return this;
    }

    /** The Bot Framework's OpenID metadata (default {@value #DEFAULT_OPENID_URL}). */
    public Builder setOpenIdUrl(String openIdUrl) {
      this.openIdUrl = Require.notBlank(openIdUrl, "openIdUrl");
      return this;
    }

    /** Connect and request timeout of each call (default 10 s). */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The agent's clock: decisions are stamped with it and requests expire by it (default: the system clock). */
    public Builder setAgentClock(Clock clock) {
      this.agentClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The wall clock tokens are checked against (default: the system's UTC clock). */
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

    /** Refuses to build when an approver's role is not among {@code roles}; empty: not checked. */
    public Builder setAcceptedRoles(Set<String> roles) {
      this.acceptedRoles = Set.copyOf(roles);
      return this;
    }

    /** The adapter; its sender thread starts now. */
    public TeamsChatOps build() {
      if (appPassword == null) {
        throw new IllegalStateException("setAppPassword is required");
      }
      return build(appPassword);
    }

    TeamsChatOps build(String password) {
      if (appId == null || tenant == null || conversation == null) {
        throw new IllegalStateException("setAppId, setTenant and setConversation are required");
      }
      ChatConfig.checkApprovers(approvers, acceptedRoles);
      return new TeamsChatOps(this, password);
    }
  }
}
