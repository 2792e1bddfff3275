package dev.sreagent.chatops;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK's HTTP server on a fixed pool, serving {@code POST} on exact paths with bodies up to a limit (a larger one
 * is refused unread).
 *
 * <p><b>Slow clients.</b> The JDK server reads a request on a handler thread and has one deadline for it, the JVM-wide
 * system property {@value #REQUEST_TIME_PROPERTY} (seconds; read once, when the JVM's first JDK HTTP server starts;
 * unset, none): without it, {@value #THREADS} clients that send their headers and then stall hold every handler
 * thread, and no approval gets through until they disconnect ({@code SlowClientsTest}: with it at 2 s, a request sent
 * behind 8 stalled ones is answered within seconds; without it, not within 8 s). The standalone app sets it to
 * {@value #DEFAULT_REQUEST_SECONDS} s unless given; a library user sets it at JVM start
 * ({@code -Dsun.net.httpserver.maxReqTime=30}) or puts the endpoint behind an ingress that buffers requests. Starting
 * without it is logged once.
 */
final class CallbackServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CallbackServer.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  /** Handler threads: a client that sends its headers and then stalls holds one until the request deadline. */
  static final int THREADS = 8;
  /** The JDK HTTP server's deadline for receiving a request (headers and body), in seconds. */
  static final String REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
  /** The deadline the standalone app sets when none is given. */
  static final int DEFAULT_REQUEST_SECONDS = 30;

  /** What handles one request to a path. */
  @FunctionalInterface
  interface Handler {
    ChatReply handle(Headers headers, byte[] body);
  }

  private final HttpServer server;
  private final ExecutorService pool;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Binds {@code host:port} (0: any free port) and serves each path with its handler. */
  CallbackServer(String host, int port, String threadName, int maxBody, Map<String, Handler> routes)
      throws IOException {
    this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
    this.pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    if (System.getProperty(REQUEST_TIME_PROPERTY) == null && WARNED.compareAndSet(false, true)) {
      LOG.warn("{} is not set: {} clients that stall mid-request hold every handler thread of {} and no approval gets"
          + " through until they disconnect; start the JVM with -D{}={} or put the endpoint behind an ingress that"
          + " buffers requests", REQUEST_TIME_PROPERTY, THREADS, threadName, REQUEST_TIME_PROPERTY,
          DEFAULT_REQUEST_SECONDS);
    }
    routes.forEach((path, handler) -> server.createContext(path, ex -> serve(ex, maxBody, handler)));
    server.start();
  }

  private static void serve(HttpExchange ex, int maxBody, Handler handler) throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
        reply(ex, new ChatReply(404, "not found"));
        return;
      }
      if (!"POST".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        reply(ex, new ChatReply(405, "POST only"));
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(maxBody + 1);
      }
      reply(ex, handler.handle(ex.getRequestHeaders(), body));
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, ChatReply r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
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
