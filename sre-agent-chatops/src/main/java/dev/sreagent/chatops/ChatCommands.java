package dev.sreagent.chatops;

import org.jspecify.annotations.Nullable;

/**
 * What the chat commands act on ({@code stop}, {@code resume}, {@code status}): the agent's kill switch and a status
 * line. Stopping only ever takes away what the agent may do. Give it to {@link SlackChatOps#attachCommands} or
 * {@link TeamsChatOps#attachCommands}.
 */
public interface ChatCommands {
  /** The agent's name in the answers (several agents may share a chat app). */
  String agent();

  /** Why the kill switch is engaged, or null when it is released. */
  @Nullable String engaged();

  /**
   * Engages the kill switch: no action runs, running ones are cancelled where their executor allows it.
   *
   * @param reason who stopped it from chat and why, for every denial and the audit log
   */
  void stop(String reason);

  /**
   * Releases it (every other guardrail still applies).
   *
   * @param reason who released it from chat and why, for the audit log
   */
  void resume(String reason);

  /** A few lines: the kill switch, the plans waiting for approval, the incidents open. */
  String status();
}
