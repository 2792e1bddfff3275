package dev.sreagent.standalone;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Clock;
import dev.sreagent.chatops.SlackChatOps;
import dev.sreagent.chatops.SlackInteractionServer;
import dev.sreagent.chatops.TeamsChatOps;
import dev.sreagent.chatops.TeamsMessagingServer;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.SreAgentBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@code run}'s approvals in chat: Slack (the {@code chatops.slack.*} keys, callbacks on {@code chatops.slack.listen})
 * or Microsoft Teams ({@code chatops.teams.*}, the bot's messaging endpoint on {@code chatops.teams.listen}). Without
 * one a plan in ASSIST has nobody to approve it in {@code run}: it expires and escalates.
 */
final class ChatOps implements AutoCloseable {
  private final @Nullable SlackChatOps slack;
  private final @Nullable TeamsChatOps teams;
  private final AutoCloseable server;
  private final String where;

  private ChatOps(@Nullable SlackChatOps slack, @Nullable TeamsChatOps teams, AutoCloseable server, String where) {
    this.slack = slack;
    this.teams = teams;
    this.server = server;
    this.where = where;
  }

  /** Whether the configuration asks for approvals in chat. */
  static boolean configured(RunConfig c) {
    return c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops."));
  }

  /** "Teams" when only chatops.teams.* keys are set, else "Slack" (for the start's error line). */
  static String named(RunConfig c) {
    boolean teams = c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops.teams."));
    boolean slack = c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops.slack."));
    return teams && !slack ? "Teams" : "Slack";
  }

  /**
   * The adapter and its listener, or every problem of the configuration at once.
   *
   * @throws ConfigurationException naming each bad key and the fix
   * @throws IOException when the listener's address cannot be bound
   */
  static ChatOps open(RunConfig c, Function<String, @Nullable String> environment) throws IOException {
    boolean wantsSlack = c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops.slack."));
    boolean wantsTeams = c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops.teams."));
    List<String> problems = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(c.all.keySet())) {
      if (key.startsWith("chatops.") && !key.startsWith("chatops.slack.") && !key.startsWith("chatops.teams.")) {
        problems.add("unknown key '" + key + "'; approvals in chat are chatops.slack.* (Slack) or chatops.teams.*"
            + " (Microsoft Teams)");
      }
    }
    if (wantsSlack && wantsTeams) {
      problems.add("chatops.slack.* and chatops.teams.* are both set: the agent asks for approval in one place;"
          + " keep the keys of one of them");
    }
    if (!problems.isEmpty() || (!wantsSlack && !wantsTeams)) {
      throw new ConfigurationException(problems.isEmpty() ? List.of("no chatops.slack.* or chatops.teams.* keys")
          : problems);
    }
    return wantsTeams ? openTeams(c, environment) : openSlack(c, environment);
  }

  private static ChatOps openSlack(RunConfig c, Function<String, @Nullable String> environment) throws IOException {
    List<String> problems = new ArrayList<>();
    SlackChatOps slack = null;
    try {
      slack = SlackChatOps.fromConfig(ConfigView.of(c.all), environment, Clock.system(),
          AgentSettings.DEFAULT_APPROVER_ROLES);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (c.slackHost == null) {
      problems.add("chatops.slack.listen is missing: the HOST:PORT where Slack's clicks arrive (such as 0.0.0.0:3000;"
          + " the app's Interactivity Request URL is https://YOUR-INGRESS" + SlackChatOps.INTERACTIONS_PATH + ")");
    }
    if (!problems.isEmpty()) {
      if (slack != null) {
        slack.close();
      }
      throw new ConfigurationException(problems);
    }
    try {
      SlackInteractionServer server = new SlackInteractionServer(slack, c.slackHost, c.slackPort);
      return new ChatOps(slack, null, server, String.format(Locale.ROOT, "approvals in %s; clicks on http://%s:%d%s,"
          + " the slash command on %s", slack, c.slackHost, server.port(), SlackChatOps.INTERACTIONS_PATH,
          SlackChatOps.COMMANDS_PATH));
    } catch (IOException | RuntimeException e) {
      slack.close();
      throw new IOException("chatops.slack.listen " + c.slackHost + ":" + c.slackPort + ": " + e.getMessage()
          + " (another process on that port? choose another)", e);
    }
  }

  private static ChatOps openTeams(RunConfig c, Function<String, @Nullable String> environment) throws IOException {
    List<String> problems = new ArrayList<>();
    TeamsChatOps teams = null;
    try {
      teams = TeamsChatOps.fromConfig(ConfigView.of(c.all), environment, Clock.system(),
          AgentSettings.DEFAULT_APPROVER_ROLES);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (c.teamsHost == null) {
      problems.add("chatops.teams.listen is missing: the HOST:PORT where the Bot Connector's activities arrive (such"
          + " as 0.0.0.0:3978; the Azure Bot's messaging endpoint is https://YOUR-INGRESS" + TeamsChatOps.MESSAGES_PATH
          + ")");
    }
    if (!problems.isEmpty()) {
      if (teams != null) {
        teams.close();
      }
      throw new ConfigurationException(problems);
    }
    try {
      TeamsMessagingServer server = new TeamsMessagingServer(teams, c.teamsHost, c.teamsPort);
      return new ChatOps(null, teams, server, String.format(Locale.ROOT, "approvals in %s; activities on"
          + " http://%s:%d%s", teams, c.teamsHost, server.port(), TeamsChatOps.MESSAGES_PATH));
    } catch (IOException | RuntimeException e) {
      teams.close();
      throw new IOException("chatops.teams.listen " + c.teamsHost + ":" + c.teamsPort + ": " + e.getMessage()
          + " (another process on that port? choose another)", e);
    }
  }

  /** Makes the agent ask in chat and tell the thread. */
  void configure(SreAgentBuilder builder) {
    if (slack != null) {
      builder.setApprovalChannel(slack).addNotifier(slack);
    } else if (teams != null) {
      builder.setApprovalChannel(teams).addNotifier(teams);
    }
  }

  /** Lets clicks on messages an earlier run posted find the agent's restored requests. */
  void attach(dev.sreagent.core.SreAgent agent) {
    if (slack != null) {
      slack.attach(agent::pendingApprovals);
      slack.attachCommands(commands(agent));
    } else if (teams != null) {
      teams.attach(agent::pendingApprovals);
      teams.attachCommands(commands(agent, false));
    }
  }

  /** The counters' metric name: {@code slack} or {@code teams}. */
  String service() {
    return slack != null ? "slack" : "teams";
  }

  /**
   * {@code /sre-agent stop|resume|status} (Slack) and {@code @sre-agent stop|resume|status} (Teams) on the agent's
   * kill switch.
   */
  static SlackChatOps.Commands commands(dev.sreagent.core.SreAgent agent) {
    return commands(agent, true);
  }

  /**
   * The same, its status in Slack's mrkdwn ({@code slack}: bold, code spans) or as plain text (Teams shows its replies
   * as typed).
   */
  static SlackChatOps.Commands commands(dev.sreagent.core.SreAgent agent, boolean slack) {
    java.util.function.UnaryOperator<String> quote = slack ? SlackChatOps::codeSpan : t -> t;
    return new SlackChatOps.Commands() {
      @Override
      public String agent() {
        return agent.settings().agentId();
      }

      @Override
      public @Nullable String engaged() {
        return agent.killSwitch().reason();
      }

      @Override
      public void stop(String reason) {
        agent.killSwitch().engage(reason);
      }

      @Override
      public void resume(String reason) {
        agent.killSwitch().release(reason);
      }

      @Override
      public String status() {
        StringBuilder sb = new StringBuilder();
        String why = agent.killSwitch().reason();
        sb.append(why == null ? "Kill switch: released." : "Kill switch: " + (slack ? "*engaged*" : "engaged") + " ("
            + quote.apply(why) + ").");
        var waiting = agent.pendingApprovals();
        sb.append("\nWaiting for approval: ").append(waiting.isEmpty() ? "nothing" : waiting.size());
        for (int i = 0; i < waiting.size() && i < 20; i++) {
          var r = waiting.get(i);
          sb.append("\n• ").append(quote.apply(r.incident().id() + " " + r.incident().type().name() + " on "
              + r.incident().rootService())).append(", expires ").append(r.expiresAt());
        }
        if (waiting.size() > 20) {
          sb.append("\n• … and ").append(waiting.size() - 20).append(" more");
        }
        long open = agent.stats().activeIncidents().values().stream().mapToLong(Long::longValue).sum();
        sb.append("\nIncidents open: ").append(open).append('.');
        return sb.toString();
      }
    };
  }

  /** Stops taking clicks (before the agent's last tick: an answer taken later would never be read). */
  void stopListening() {
    close(server);
  }

  /** The start line's words. */
  String describe() {
    return where;
  }

  /** What the adapter did and refused. */
  java.util.Map<String, Long> counters() {
    return slack != null ? slack.counters() : java.util.Objects.requireNonNull(teams).counters();
  }

  @Override
  public void close() {
    close(server);
    if (slack != null) {
      slack.close();
    }
    if (teams != null) {
      teams.close();
    }
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
