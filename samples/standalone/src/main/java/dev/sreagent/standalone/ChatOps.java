package dev.sreagent.standalone;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Clock;
import dev.sreagent.chatops.SlackChatOps;
import dev.sreagent.chatops.SlackInteractionServer;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.SreAgentBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@code run}'s Slack approvals: the adapter from the {@code chatops.slack.*} keys and its callback listener on
 * {@code chatops.slack.listen}. Without it a plan in ASSIST has nobody to approve it in {@code run}: it expires and
 * escalates.
 */
final class ChatOps implements AutoCloseable {
  private final SlackChatOps slack;
  private final SlackInteractionServer server;
  private final String host;

  private ChatOps(SlackChatOps slack, SlackInteractionServer server, String host) {
    this.slack = slack;
    this.server = server;
    this.host = host;
  }

  /** Whether the configuration asks for Slack. */
  static boolean configured(RunConfig c) {
    return c.all.keySet().stream().anyMatch(k -> k.startsWith("chatops."));
  }

  /**
   * The adapter and its listener, or every problem of the configuration at once.
   *
   * @throws ConfigurationException naming each bad key and the fix
   * @throws IOException when the listener's address cannot be bound
   */
  static ChatOps open(RunConfig c, Function<String, @Nullable String> environment) throws IOException {
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
      return new ChatOps(slack, new SlackInteractionServer(slack, c.slackHost, c.slackPort), c.slackHost);
    } catch (IOException | RuntimeException e) {
      slack.close();
      throw new IOException("chatops.slack.listen " + c.slackHost + ":" + c.slackPort + ": " + e.getMessage()
          + " (another process on that port? choose another)", e);
    }
  }

  /** Makes the agent ask in Slack and tell the thread. */
  void configure(SreAgentBuilder builder) {
    builder.setApprovalChannel(slack).addNotifier(slack);
  }

  /** Lets clicks on messages an earlier run posted find the agent's restored requests. */
  void attach(dev.sreagent.core.SreAgent agent) {
    slack.attach(agent::pendingApprovals);
    slack.attachCommands(commands(agent));
  }

  /** {@code /sre-agent stop|resume|status} on the agent's kill switch. */
  static SlackChatOps.Commands commands(dev.sreagent.core.SreAgent agent) {
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
        sb.append(why == null ? "Kill switch: released." : "Kill switch: *engaged* (" + SlackChatOps.codeSpan(why)
            + ").");
        var waiting = agent.pendingApprovals();
        sb.append("\nWaiting for approval: ").append(waiting.isEmpty() ? "nothing" : waiting.size());
        for (int i = 0; i < waiting.size() && i < 20; i++) {
          var r = waiting.get(i);
          sb.append("\n• ").append(SlackChatOps.codeSpan(r.incident().id() + " " + r.incident().type().name() + " on "
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
    server.close();
  }

  /** The start line's words. */
  String describe() {
    return String.format(Locale.ROOT, "approvals in %s; clicks on http://%s:%d%s, the slash command on %s", slack,
        host, server.port(), SlackChatOps.INTERACTIONS_PATH, SlackChatOps.COMMANDS_PATH);
  }

  /** What the adapter did and refused. */
  java.util.Map<String, Long> counters() {
    return slack.counters();
  }

  @Override
  public void close() {
    server.close();
    slack.close();
  }
}
