package dev.sreagent.chatops;

import java.util.Map;

/**
 * A {@link CallbackServer} in a JVM of its own (the JDK server's request deadline is read once per JVM): prints its
 * port, answers {@code POST /callback} with 200, and stops when its standard input closes.
 */
final class CallbackServerProbe {
  private CallbackServerProbe() {}

  public static void main(String[] args) throws Exception {
    try (CallbackServer server = new CallbackServer("127.0.0.1", 0, "probe", 1024,
        Map.of("/callback", (headers, body) -> new ChatReply(200, "ok")))) {
      System.out.println("port " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the parent closes our input
      }
    }
  }
}
