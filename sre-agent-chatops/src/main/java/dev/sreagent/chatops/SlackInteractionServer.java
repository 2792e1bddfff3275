package dev.sreagent.chatops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Serves Slack's interaction callbacks for a {@link SlackChatOps} on {@code POST }{@value SlackChatOps#INTERACTIONS_PATH}
 * and its slash command on {@code POST }{@value SlackChatOps#COMMANDS_PATH}
 * with the JDK's HTTP server ({@value #THREADS} threads; a body over {@link SlackChatOps#MAX_BODY_BYTES} is refused
 * unread). Put it behind the ingress that terminates TLS for Slack's "Interactivity Request URL" and buffers request
 * bodies (nginx and most ingress controllers do by default): the JDK server has no read timeout of its own, so
 * clients that send headers and stall would hold its threads. The signature check makes what the endpoint does safe
 * to expose; the JVM-wide {@code sun.net.httpserver.maxReqTime} (seconds) bounds slow requests when no ingress
 * buffers them.
 */
public final class SlackInteractionServer implements AutoCloseable {
  /** Handler threads: a client that sends its headers and then stalls holds one until it disconnects. */
  static final int THREADS = 8;

  private final HttpServer server;
  private final ExecutorService pool;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving.
   *
   * @throws IOException when the address cannot be bound
   */
  public SlackInteractionServer(SlackChatOps chatOps, String host, int port) throws IOException {
    Objects.requireNonNull(chatOps, "chatOps");
    this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
    this.pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "sre-agent-slack-callbacks");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext(SlackChatOps.INTERACTIONS_PATH, ex -> serve(ex, chatOps::handleInteraction));
    server.createContext(SlackChatOps.COMMANDS_PATH, ex -> serve(ex, chatOps::handleCommand));
    server.start();
  }

  /** What handles a signed callback. */
  @FunctionalInterface
  private interface Handler {
    SlackChatOps.Reply handle(@Nullable String timestamp, @Nullable String signature, byte[] body);
  }

  private static void serve(HttpExchange ex, Handler handler) throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
        reply(ex, 404, "text/plain; charset=utf-8", "not found");
        return;
      }
      if (!"POST".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        reply(ex, 405, "text/plain; charset=utf-8", "POST only");
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(SlackChatOps.MAX_BODY_BYTES + 1);
      }
      SlackChatOps.Reply r = handler.handle(ex.getRequestHeaders().getFirst("X-Slack-Request-Timestamp"),
          ex.getRequestHeaders().getFirst("X-Slack-Signature"), body);
      reply(ex, r.status(), r.contentType(), r.body());
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, int status, String contentType, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.stop(0);
    pool.shutdown();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
