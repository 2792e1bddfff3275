package dev.sreagent.chatops;

import java.time.Duration;

/** A call to a chat service that failed: the service's error code, what to do, and whether trying again can help. */
final class ChatCallException extends Exception {
  private static final long serialVersionUID = 1L;
  final String error;
  final boolean retryable;
  final transient Duration retryAfter;

  ChatCallException(String call, String error, String hint, boolean retryable, Duration retryAfter) {
    super(call + " failed: " + code(error) + " (" + hint + ")");
    this.error = code(error);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /**
   * The service's error code as it becomes a counter's name ({@code failed.CODE}) and a log line: letters, digits,
   * {@code _ . -}, at most 64; anything else is {@code other}.
   */
  static String code(String error) {
    return error.matches("[A-Za-z0-9_.\\-]{1,64}") ? error : "other";
  }

  /** {@code Retry-After} in seconds, kept within 1 s and 5 minutes (1 s when it is not a number). */
  static long seconds(String header) {
    try {
      return Math.max(1, Math.min(300, Long.parseLong(header.strip())));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
