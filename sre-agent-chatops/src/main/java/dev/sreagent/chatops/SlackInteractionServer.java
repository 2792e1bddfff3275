package dev.sreagent.chatops;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Serves Slack's interaction callbacks for a {@link SlackChatOps} on
 * {@code POST }{@value SlackChatOps#INTERACTIONS_PATH} and its slash command on
 * {@code POST }{@value SlackChatOps#COMMANDS_PATH} with the JDK's HTTP server (8 threads; a body over
 * {@link SlackChatOps#MAX_BODY_BYTES} is refused unread). Put it behind the ingress that terminates TLS for Slack's
 * "Interactivity Request URL" and buffers request bodies (nginx and most ingress controllers do by default): the JDK
 * server has no read timeout of its own, so clients that send headers and stall would hold its threads. The
 * signature check makes what the endpoint does safe to expose; the JVM-wide {@code sun.net.httpserver.maxReqTime}
 * (seconds) bounds slow requests when no ingress buffers them.
 */
public final class SlackInteractionServer implements AutoCloseable {
  private final CallbackServer server;

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving.
   *
   * @throws IOException when the address cannot be bound
   */
  public SlackInteractionServer(SlackChatOps chatOps, String host, int port) throws IOException {
    Objects.requireNonNull(chatOps, "chatOps");
    this.server = new CallbackServer(host, port, "sre-agent-slack-callbacks", SlackChatOps.MAX_BODY_BYTES, Map.of(
        SlackChatOps.INTERACTIONS_PATH, (headers, body) -> reply(chatOps.handleInteraction(
            headers.getFirst("X-Slack-Request-Timestamp"), headers.getFirst("X-Slack-Signature"), body)),
        SlackChatOps.COMMANDS_PATH, (headers, body) -> reply(chatOps.handleCommand(
            headers.getFirst("X-Slack-Request-Timestamp"), headers.getFirst("X-Slack-Signature"), body))));
  }

  private static ChatReply reply(SlackChatOps.Reply r) {
    return new ChatReply(r.status(), r.body(), r.contentType());
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
