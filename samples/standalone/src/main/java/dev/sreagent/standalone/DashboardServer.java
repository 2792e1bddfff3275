package dev.sreagent.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The operator dashboard of the standalone app, on 127.0.0.1 only: {@code /} is the page, {@code /api/state} the
 * state as JSON, {@code POST /api/decide?incident=..&planHash=..&approve=true|false} answers an approval request as
 * user {@code dashboard} with role {@code sre}.
 */
final class DashboardServer implements AutoCloseable {
  private final HttpServer http;

  DashboardServer(int port, DemoState state) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    http.createContext("/", ex -> {
      if (!ex.getRequestURI().getPath().equals("/")) {
        reply(ex, 404, "text/plain", "not found");
        return;
      }
      try (InputStream in = DashboardServer.class.getResourceAsStream("dashboard.html")) {
        reply(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    });
    http.createContext("/api/state", ex -> reply(ex, 200, "application/json",
        dev.sreagent.testkit.Scorecard.toJson(state.snapshot())));
    http.createContext("/api/decide", ex -> {
      if (!ex.getRequestMethod().equals("POST")) {
        reply(ex, 405, "text/plain", "POST only");
        return;
      }
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      String incident = q.get("incident");
      String hash = q.get("planHash");
      if (incident == null || hash == null || !q.containsKey("approve")) {
        reply(ex, 400, "text/plain", "need incident, planHash and approve");
        return;
      }
      String error = state.decide(incident, hash, Boolean.parseBoolean(q.get("approve")), "dashboard");
      reply(ex, error == null ? 202 : 409, "text/plain", error == null ? "accepted" : error);
    });
    http.start();
  }

  int port() {
    return http.getAddress().getPort();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
