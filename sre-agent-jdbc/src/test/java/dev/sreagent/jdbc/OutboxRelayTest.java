package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxRelayTest {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aConsumerFailureStopsTheBatchAndTheRestComesAgainWithDuplicatesAbsorbed() throws Exception {
    JdbcStores db = stores.h2();
    for (int i = 0; i < 10; i++) {
      db.auditLog().append(Scenarios.entry("a", i));
    }
    List<String> delivered = new ArrayList<>();
    int[] calls = {0};
    // publishes, then fails on the 4th call; the relay marks only what was handed on
    OutboxConsumer flaky = e -> {
      if (++calls[0] == 4) {
        throw new IllegalStateException("bus down");
      }
      delivered.add(e.eventId());
    };
    DeduplicatingConsumer idempotent = OutboxConsumer.deduplicating(flaky);
    OutboxRelay relay = OutboxRelay.builder(db, idempotent).setBatchSize(100).build();
    assertThat(relay.relayOnce()).isEqualTo(3);
    assertThat(relay.consumerFailures()).isEqualTo(1);
    assertThat(db.pendingOutboxEvents()).isEqualTo(7);
    assertThat(relay.relayOnce()).isEqualTo(7);
    assertThat(delivered).hasSize(10).doesNotHaveDuplicates();
    assertThat(relay.relayOnce()).isZero();
  }

  @Test
  void aRedeliveredEventIsDroppedByTheDeduplicatingConsumer() throws Exception {
    List<String> got = new ArrayList<>();
    DeduplicatingConsumer c = OutboxConsumer.deduplicating(e -> got.add(e.eventId()), 2);
    OutboxEvent a = new OutboxEvent("a", 1, "t", null, 1, "{}", Scenarios.T);
    OutboxEvent b = new OutboxEvent("b", 2, "t", null, 2, "{}", Scenarios.T);
    OutboxEvent x = new OutboxEvent("x", 3, "t", null, 3, "{}", Scenarios.T);
    c.publish(a);
    c.publish(a);
    c.publish(b);
    c.publish(x); // forgets "a" (capacity 2)
    c.publish(b);
    assertThat(got).containsExactly("a", "b", "x");
    assertThat(c.duplicates()).isEqualTo(2);
    assertThat(c.published()).isEqualTo(3);
  }

  @Test
  void twoRelaysOnH2NeverPublishOneRowTwice() throws Exception {
    String url = "jdbc:h2:mem:relays" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    JdbcStores a = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    JdbcStores b = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    Scenarios.twoRelaysNeverPublishOneRowTwice(a, b, 300, false);
  }

  /** H2 applies the row limit before it skips locked rows: a second relay claims nothing while the first holds its batch. */
  @Test
  void onH2ASecondRelayClaimsNothingWhileTheFirstHoldsItsBatch() throws Exception {
    String url = "jdbc:h2:mem:claims" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    JdbcStores a = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    JdbcStores b = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    for (int i = 0; i < 50; i++) {
      a.auditLog().append(Scenarios.entry("held", i));
    }
    java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    OutboxRelay first = OutboxRelay.builder(a, e -> {
      holding.countDown();
      release.await();
    }).setBatchSize(10).build();
    Thread t = new Thread(first::relayOnce);
    t.start();
    holding.await();
    try {
      int[] second = {-1};
      OutboxRelay other = OutboxRelay.builder(b, e -> { }).setBatchSize(10).build();
      second[0] = other.relayOnce();
      assertThat(second[0]).as("rows 11-50 are free, yet H2's claim returns none of them").isZero();
    } finally {
      release.countDown();
      t.join(10_000);
    }
    assertThat(a.pendingOutboxEvents()).isEqualTo(40);
  }
}
