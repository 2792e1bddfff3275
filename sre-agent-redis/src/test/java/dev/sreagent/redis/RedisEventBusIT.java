package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.port.Notifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The event bus against a real Redis: acknowledgements, bounded length, notifications once across agents, retries. */
class RedisEventBusIT {
  private static RedisEventBus bus(RedisServer redis, String stream) {
    return RedisEventBus.builder(redis.uri()).setStream(stream).setKeyPrefix("bus-it:" + stream + ":").build();
  }

  private static String stream() {
    return "bus-it:" + UUID.randomUUID();
  }

  @Test
  void publishedEventsAreHandledOnceEachAndAcknowledged() throws Exception {
    String stream = stream();
    try (RedisServer redis = RedisServer.shared(); RedisEventBus bus = bus(redis, stream)) {
      List<StreamEvent> got = Collections.synchronizedList(new ArrayList<>());
      try (RedisEventConsumer a = bus.consumer("operator", "a", got::add).setBatchSize(7).build().start();
          RedisEventConsumer b = bus.consumer("operator", "b", got::add).setBatchSize(7).build().start()) {
        for (int i = 0; i < 100; i++) {
          bus.publish(new StreamEvent("ev-" + i, "incident.updated", "INC-" + (i % 5), "{\"n\":" + i + "}"));
        }
        await(() -> got.size() >= 100);
        Thread.sleep(300);
        assertThat(got).hasSize(100).extracting(StreamEvent::eventId).doesNotHaveDuplicates();
        assertThat(a.handled() + b.handled()).isEqualTo(100);
        assertThat(a.handled()).as("the group shares the entries").isPositive();
        assertThat(b.handled()).isPositive();
        assertThat(bus.length()).isEqualTo(100);
        // a second group gets every event too, independently
        List<StreamEvent> second = Collections.synchronizedList(new ArrayList<>());
        try (RedisEventConsumer c = bus.consumer("dashboard", "c", second::add).build()) {
          while (c.poll() > 0) {
            // reads until nothing is new
          }
        }
        assertThat(second).extracting(StreamEvent::eventId).containsExactlyElementsOf(
            got.stream().map(StreamEvent::eventId).sorted((x, y) -> Integer.compare(n(x), n(y))).toList());
      }
    }
  }

  @Test
  void theStreamStaysNearItsMaximumLength() throws Exception {
    String stream = stream();
    try (RedisServer redis = RedisServer.shared();
        RedisEventBus bus = RedisEventBus.builder(redis.uri()).setStream(stream).setMaxLength(1000).build()) {
      for (int i = 0; i < 20_000; i++) {
        bus.publish(new StreamEvent("ev-" + i, "t", null, "{}"));
        assertThat(bus.length()).as("after %d publications", i + 1).isLessThanOrEqualTo(1000 + 100);
      }
      assertThat(bus.length()).isGreaterThanOrEqualTo(1000);
      // a group created now reads what is retained: the newest ~1000; the older ones are gone for it
      List<String> got = new ArrayList<>();
      try (RedisEventConsumer late = bus.consumer("late", "x", e -> got.add(e.eventId())).setBatchSize(500).build()) {
        while (late.poll() > 0) {
          // drain
        }
      }
      assertThat(got).hasSize((int) bus.length()).last().isEqualTo("ev-19999");
    }
  }

  @Test
  void theSameNotificationFromTwoAgentsIsDeliveredOnce() throws Exception {
    String stream = stream();
    try (RedisServer redis = RedisServer.shared(); RedisEventBus agentA = bus(redis, stream);
        RedisEventBus agentB = bus(redis, stream)) {
      List<String> paged = Collections.synchronizedList(new ArrayList<>());
      StreamEventHandler pager = e -> paged.add(e.notificationKey());
      Notifier a = agentA.notifier();
      Notifier b = agentB.notifier();
      Instant t = Instant.parse("2026-01-02T03:04:05Z");
      int incidents = 30;
      for (int i = 0; i < incidents; i++) { // both agents saw the incident and notify it, a few ms apart
        a.notify(RedisEventBusTest.event("INC-" + i, IncidentEvent.Kind.OPENED, t.plusMillis(i), "a: opened"));
        b.notify(RedisEventBusTest.event("INC-" + i, IncidentEvent.Kind.OPENED, t.plusMillis(i + 3), "b: opened"));
        a.notify(RedisEventBusTest.event("INC-" + i, IncidentEvent.Kind.RESOLVED, t.plusMillis(i + 9), "a: done"));
        b.notify(RedisEventBusTest.event("INC-" + i, IncidentEvent.Kind.RESOLVED, t.plusMillis(i + 7), "b: done"));
      }
      // each agent runs a pager consumer in the same group; when both see one notification at once, the second
      // defers its entry (the first one's mark is in flight) and absorbs it at a reclaim after the idle time
      try (RedisEventConsumer pa = agentA.consumer("pager", "agent-a", pager).setBatchSize(3)
          .setReclaimIdle(Duration.ofSeconds(1)).setReclaimEvery(Duration.ofMillis(200))
          .setDeduplication(Duration.ofMinutes(10), StreamEvent::notificationKey).build().start();
          RedisEventConsumer pb = agentB.consumer("pager", "agent-b", pager).setBatchSize(3)
          .setReclaimIdle(Duration.ofSeconds(1)).setReclaimEvery(Duration.ofMillis(200))
          .setDeduplication(Duration.ofMinutes(10), StreamEvent::notificationKey).build().start()) {
        await(() -> pa.handled() + pa.duplicates() + pb.handled() + pb.duplicates() >= 4L * incidents);
        Thread.sleep(300);
        assertThat(paged).hasSize(2 * incidents).doesNotHaveDuplicates();
        assertThat(pa.duplicates() + pb.duplicates()).isEqualTo(2L * incidents);
        assertThat(agentA.notifyFailures() + agentB.notifyFailures()).isZero();
      }
    }
  }

  @Test
  void aHandlerThatThrowsLeavesTheEntryPendingAndItIsRetried() throws Exception {
    String stream = stream();
    try (RedisServer redis = RedisServer.shared(); RedisEventBus bus = bus(redis, stream)) {
      List<String> got = new ArrayList<>();
      int[] calls = {0};
      try (RedisEventConsumer c = bus.consumer("g", "c", e -> {
        if (calls[0]++ == 0) {
          throw new IllegalStateException("chat API down");
        }
        got.add(e.eventId());
      }).setReclaimIdle(Duration.ofSeconds(3)).setDeduplication(Duration.ofMinutes(1), StreamEvent::eventId)
          .build()) {
        bus.publish(new StreamEvent("ev-1", "incident.escalated", "INC-1", "{}"));
        assertThat(c.poll()).isZero();
        assertThat(c.failed()).isEqualTo(1);
        assertThat(c.reclaim()).as("not idle long enough yet").isZero();
        Thread.sleep(3200);
        assertThat(c.reclaim()).isEqualTo(1);
        assertThat(got).containsExactly("ev-1");
      }
    }
  }

  private static int n(String eventId) {
    return Integer.parseInt(eventId.substring(eventId.indexOf('-') + 1));
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition met within 30 s").isBefore(deadline);
      Thread.sleep(20);
    }
  }
}
