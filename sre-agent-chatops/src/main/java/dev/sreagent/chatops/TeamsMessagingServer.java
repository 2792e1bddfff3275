package dev.sreagent.chatops;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Serves the Bot Connector's activities for a {@link TeamsChatOps} on {@code POST }{@value TeamsChatOps#MESSAGES_PATH}
 * (the Azure Bot resource's "Messaging endpoint") with the JDK's HTTP server (8 threads; a body over
 * {@link TeamsChatOps#MAX_BODY_BYTES} is refused unread). Put it behind the ingress that terminates TLS and buffers
 * request bodies: the JDK server has no read timeout of its own. The token check makes what the endpoint does safe
 * to expose.
 */
public final class TeamsMessagingServer implements AutoCloseable {
  private final CallbackServer server;

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving.
   *
   * @throws IOException when the address cannot be bound
   */
  public TeamsMessagingServer(TeamsChatOps chatOps, String host, int port) throws IOException {
    Objects.requireNonNull(chatOps, "chatOps");
    this.server = new CallbackServer(host, port, "sre-agent-teams-activities", TeamsChatOps.MAX_BODY_BYTES,
        Map.of(TeamsChatOps.MESSAGES_PATH, (headers, body) -> chatOps.handleActivity(headers.getFirst(
            "Authorization"), body)));
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
