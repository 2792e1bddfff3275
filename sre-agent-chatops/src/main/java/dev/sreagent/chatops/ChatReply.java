package dev.sreagent.chatops;

/**
 * What to answer a chat service's callback: the HTTP status, the body and its content type. Serve it as it is from
 * your own HTTP server when you do not use the adapter's listener.
 */
public record ChatReply(int status, String body, String contentType) {
  /** A plain-text answer. */
  public ChatReply(int status, String body) {
    this(status, body, "text/plain; charset=utf-8");
  }

  /** A JSON answer. */
  static ChatReply json(int status, String json) {
    return new ChatReply(status, json, "application/json; charset=utf-8");
  }
}
