package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Scenarios run against H2 in the unit tests and against PostgreSQL in the ITs. */
final class Scenarios {
  static final Instant T = Instant.parse("2026-03-02T08:00:00Z");

  private Scenarios() {}

  static AuditEntry entry(String writer, int i) {
    return new AuditEntry(T.plusMillis(i), "test.append", i % 3 == 0 ? null : "INC-" + writer + "-" + i, writer,
        Map.of("writer", writer, "n", String.valueOf(i)));
  }

  /**
   * {@code threads} writers per store, each over its own store (its own pool and connections), append {@code each}
   * records at once: one unbroken chain 1..N holding every acknowledged record, and one outbox event per record.
   */
  static void concurrentAppendersMakeOneChain(List<JdbcStores> stores, int threadsPerStore, int each)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(stores.size() * threadsPerStore);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<AuditRecord>>> futures = new ArrayList<>();
    for (int s = 0; s < stores.size(); s++) {
      for (int t = 0; t < threadsPerStore; t++) {
        JdbcStores store = stores.get(s);
        String writer = "w" + s + "." + t;
        futures.add(pool.submit(() -> {
          go.await();
          List<AuditRecord> mine = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            mine.add(store.auditLog().append(entry(writer, i)));
          }
          return mine;
        }));
      }
    }
    go.countDown();
    Map<Long, AuditRecord> acknowledged = new HashMap<>();
    for (Future<List<AuditRecord>> f : futures) {
      for (AuditRecord r : f.get(5, TimeUnit.MINUTES)) {
        assertThat(acknowledged.put(r.sequence(), r)).as("sequence %s handed out twice", r.sequence()).isNull();
      }
    }
    pool.shutdown();
    int total = stores.size() * threadsPerStore * each;
    JdbcStores any = stores.get(0);
    List<AuditRecord> all = any.auditLog().records();
    assertThat(all).hasSize(total);
    for (int i = 0; i < total; i++) {
      AuditRecord r = all.get(i);
      assertThat(r.sequence()).isEqualTo(i + 1L);
      assertThat(r).isEqualTo(acknowledged.get(r.sequence()));
      if (i > 0) {
        assertThat(r.previousHash()).isEqualTo(all.get(i - 1).hash());
      }
    }
    AuditVerification v = any.auditLog().verify();
    assertThat(v.intact()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(total);
    assertThat(any.pendingOutboxEvents()).isEqualTo(total);
  }

  /**
   * Two relays on one outbox at once: every event published exactly once (no failure, so no redelivery), the marks
   * committed, both relays did some of the work.
   */
  /**
   * Two relays on one outbox: every event published once, by one of them. With {@code inParallel} (PostgreSQL) the
   * second relay also takes the next rows while the first holds its batch, so both work whatever the scheduler does;
   * H2 applies the row limit before it skips locked rows (its claim returns nothing while another relay holds the
   * first batch), so there the relays only alternate between batches and which of them works is up to the scheduler.
   */
  static void twoRelaysNeverPublishOneRowTwice(JdbcStores a, JdbcStores b, int events, boolean inParallel)
      throws Exception {
    for (int i = 0; i < events; i++) {
      a.auditLog().append(entry("relayed", i));
    }
    Map<String, String> seenBy = new ConcurrentHashMap<>();
    Set<String> twice = Collections.newSetFromMap(new ConcurrentHashMap<>());
    Set<String> workers = ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean waited = new java.util.concurrent.atomic.AtomicBoolean();
    OutboxConsumer slow = event -> {
      if (seenBy.putIfAbsent(event.eventId(), Thread.currentThread().getName()) != null) {
        twice.add(event.eventId());
      }
      workers.add(Thread.currentThread().getName());
      // In parallel, the very first event published holds its relay's claimed batch until the other relay has
      // published too, or 10 s pass (once, never per event): the other relay takes the next batch at once and both
      // work whatever the scheduler does (a loaded CI machine once let one relay drain all 300 rows before the
      // other's first poll). On H2 that wait would only stall both (the other relay's claim returns nothing).
      if (inParallel && waited.compareAndSet(false, true)) {
        long wait = System.currentTimeMillis() + 10_000;
        while (workers.size() < 2 && System.currentTimeMillis() < wait) {
          Thread.sleep(5);
        }
      }
      Thread.sleep(1);
    };
    try (OutboxRelay r1 = OutboxRelay.builder(a, slow).setName("one").setBatchSize(20)
            .setPollInterval(Duration.ofMillis(20)).build();
        OutboxRelay r2 = OutboxRelay.builder(b, slow).setName("two").setBatchSize(20)
            .setPollInterval(Duration.ofMillis(20)).build()) {
      r1.start();
      r2.start();
      long deadline = System.currentTimeMillis() + 120_000;
      while (a.pendingOutboxEvents() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(a.pendingOutboxEvents()).isZero();
      r1.close();
      r2.close();
      assertThat(twice).as("events published twice").isEmpty();
      assertThat(seenBy).hasSize(events);
      assertThat(r1.published() + r2.published()).isEqualTo(events);
      if (inParallel) {
        assertThat(new HashSet<>(seenBy.values())).as("both relays worked").hasSize(2);
      }
    }
  }
}
