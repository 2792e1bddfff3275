package dev.sreagent.chatops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the chat adapters' tests share. */
final class ChatTestSupport {
  /** Real time allowed for an adapter's background calls to reach the emulator (a bound, not a timing goal). */
  static final Duration DELIVERY = Duration.ofSeconds(20);

  private ChatTestSupport() {}

  /** Waits until {@code condition} holds, at most {@link #DELIVERY}; fails naming {@code what} otherwise. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DELIVERY.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DELIVERY + ": " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * The claims the Bot Connector signs for app {@code app} and {@code serviceUrl} at {@code now} (epoch seconds), with
   * {@code changes} applied (a null value removes the claim).
   */
  static Map<String, Object> claims(String app, String serviceUrl, long now, Map<String, Object> changes) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("serviceurl", serviceUrl);
    c.put("nbf", now - 300);
    c.put("exp", now + 3600);
    c.put("iss", "https://api.botframework.com");
    c.put("aud", app);
    changes.forEach((k, v) -> {
      if (v == null) {
        c.remove(k);
      } else {
        c.put(k, v);
      }
    });
    return c;
  }
}
