package dev.sreagent.jdbc;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A relay in its own JVM, killed by {@link PostgresRelayKilledIT}: relays the outbox of {@code args[0]} (user
 * {@code args[1]}, password {@code args[2]}) in batches of 50, delivering each event id as one line appended to the
 * file {@code args[3]} (the downstream system), slowly, until the outbox is empty.
 */
public final class RelayChild {
  private RelayChild() {}

  public static void main(String[] args) throws Exception {
    try (JdbcStores db = JdbcStores.postgres(args[0], args[1], args[2]);
        OutputStream out = new FileOutputStream(args[3], true)) {
      OutboxRelay relay = OutboxRelay.builder(db, e -> {
        out.write((e.eventId() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(4);
      }).setBatchSize(50).setName("child").build();
      while (relay.relayOnce() > 0) {
        // until empty (or killed)
      }
    }
  }
}
