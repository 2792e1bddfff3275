package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.jdbc.DeduplicatingConsumer;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.jdbc.OutboxRelay;
import dev.sreagent.redis.StreamEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@code events}: the key's checks, the outbox-to-stream bridge on the embedded store, an unreachable Redis. */
class EventStreamTest {
  @Test
  void theEventsKeysAreCheckedNamingTheFix() {
    RunConfig c = new RunConfig();
    c.set("events", "redis://cache-0:6379/1");
    c.set("events.password-env", "SRE_AGENT_REDIS_PASSWORD");
    assertThat(c.events).isEqualTo("redis://cache-0:6379/1");
    assertThat(c.sharedStateProblem()).isNull();
    assertThatThrownBy(() -> c.set("events", "kafka://k:9092")).hasMessageContaining(
        "events must be redis://HOST:PORT[/DB]").hasMessageContaining("'kafka://k:9092'");
    assertThatThrownBy(() -> c.set("events", "redis://cache-0")).hasMessageContaining("needs HOST:PORT");
    assertThatThrownBy(() -> c.set("events", "redis://:hunter2@cache:6379")).hasMessageContaining(
        "events.password-env").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> c.set("events.password-env", "not a name")).hasMessageContaining(
        "events.password-env must name an environment variable");
    assertThatThrownBy(() -> c.set("events.stream", "x")).hasMessageContaining("unknown key 'events.stream'");
    RunConfig noEvents = new RunConfig();
    noEvents.set("events.password-env", "X");
    assertThat(noEvents.sharedStateProblem()).contains("events.password-env was given without events");
  }

  @Test
  void theOutboxReachesTheStreamOncePerEventIdWithItsFields() throws Exception {
    List<StreamEvent> published = new ArrayList<>();
    try (JdbcStores db = JdbcStores.inMemory("events-bridge")) {
      for (int i = 0; i < 5; i++) {
        db.auditLog().append(new AuditEntry(Instant.parse("2026-03-02T10:00:00Z").plusSeconds(i),
            "incident.opened", "INC-" + i, "agent", Map.of("n", String.valueOf(i))));
      }
      DeduplicatingConsumer bridge = EventStream.toStream(published::add);
      OutboxRelay relay = OutboxRelay.builder(db, bridge).build();
      assertThat(relay.relayOnce()).isEqualTo(5);
      assertThat(db.pendingOutboxEvents()).isZero();
      assertThat(published).extracting(StreamEvent::incidentId).containsExactly("INC-0", "INC-1", "INC-2",
          "INC-3", "INC-4");
      assertThat(published).allSatisfy(e -> {
        assertThat(e.type()).isEqualTo("incident.opened");
        assertThat(e.payload()).contains("\"n\"");
      });
      // the relay redelivers an event whose row was not marked (a failure after Redis took it): dropped here
      StreamEvent first = published.get(0);
      bridge.publish(new dev.sreagent.jdbc.OutboxEvent(first.eventId(), 1, first.type(), first.incidentId(), 1,
          first.payload(), Instant.parse("2026-03-02T10:00:00Z")));
      assertThat(published).hasSize(5);
      assertThat(bridge.duplicates()).isEqualTo(1);
    }
  }

  @Test
  void anUnreachableRedisStopsTheStartNamingTheKey() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = RealMode.run(List.of("--otlp", "127.0.0.1:0", "--events", "redis://127.0.0.1:1"), ps, ps,
        new CountDownLatch(0), Map.<String, String>of()::get);
    assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("events redis://127.0.0.1:1 did not answer");
    ByteArrayOutputStream unset = new ByteArrayOutputStream();
    PrintStream ps2 = new PrintStream(unset, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--otlp", "127.0.0.1:0", "--events", "redis://127.0.0.1:1",
        "--events-password-env", "REDIS_PW"), ps2, ps2, new CountDownLatch(0), Map.<String, String>of()::get))
        .isEqualTo(2);
    assertThat(unset.toString(StandardCharsets.UTF_8)).contains("REDIS_PW, which is not set");
  }
}
