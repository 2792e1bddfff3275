package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The event bus without a server: configuration errors, the event shape, an unreachable Redis. */
class RedisEventBusTest {
  static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

  static IncidentEvent event(String incidentId, IncidentEvent.Kind kind, Instant at, String message) {
    Incident inc = Incident.open(incidentId, new Anomaly(IncidentType.OOM_KILL, "cart", "cart-7f", "memory", 1,
        0.9, 0.85, Severity.SEV3, AT, AT, "memory at 97% of limit"), "cart", AT);
    return new IncidentEvent(at, kind, inc, message);
  }

  @Test
  void aBadUriOrSettingIsNamedWithTheFix() {
    assertThatThrownBy(() -> RedisEventBus.builder("http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http://127.0.0.1:6379'").hasMessageContaining("redis://127.0.0.1:6379");
    assertThatThrownBy(() -> RedisEventBus.builder("redis://127.0.0.1:6379").setMaxLength(0))
        .hasMessageContaining("maxLength").hasMessageContaining("0");
    try (RedisEventBus bus = RedisEventBus.builder("redis://127.0.0.1:6379").build()) {
      assertThatThrownBy(() -> bus.consumer("g", "c", e -> {}).setBlock(Duration.ofSeconds(2)).build())
          .hasMessageContaining("block must be shorter than the bus's command timeout (PT2S), but was PT2S");
      assertThatThrownBy(() -> bus.consumer("g", "c", e -> {}).setDeduplication(Duration.ofMinutes(1),
          StreamEvent::eventId).setDeduplication(Duration.ofMinutes(1), StreamEvent::eventId))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> bus.consumer(" ", "c", e -> {})).hasMessageContaining("group");
    }
  }

  @Test
  void anIncidentEventBecomesAStreamEventWhoseNotificationKeyIsTheIncidentAndKind() {
    StreamEvent a = StreamEvent.of(event("INC-7", IncidentEvent.Kind.OPENED, AT, "opened: \"cart\" OOM\n"));
    StreamEvent b = StreamEvent.of(event("INC-7", IncidentEvent.Kind.OPENED, AT.plusMillis(40), "opened elsewhere"));
    assertThat(a.type()).isEqualTo("incident.opened");
    assertThat(a.incidentId()).isEqualTo("INC-7");
    assertThat(a.eventId()).isEqualTo("INC-7:opened:" + AT.toEpochMilli()).isNotEqualTo(b.eventId());
    assertThat(a.notificationKey()).isEqualTo("INC-7:incident.opened").isEqualTo(b.notificationKey());
    assertThat(a.payload()).contains("\"kind\":\"OPENED\"", "\"incident\":\"INC-7\"", "\"type\":\"oom-kill\"",
        "\"message\":\"opened: \\\"cart\\\" OOM\\n\"");
    assertThat(StreamEvent.fromFields(a.fields())).isEqualTo(a);
    StreamEvent none = new StreamEvent("e-1", "deploy.finished", null, "{}");
    assertThat(none.notificationKey()).isEqualTo("e-1");
    assertThat(StreamEvent.fromFields(none.fields())).isEqualTo(none);
    assertThat(StreamEvent.fromFields(java.util.Map.of("x", "y"))).isNull();
    assertThatThrownBy(() -> new StreamEvent(" ", "t", null, "")).hasMessageContaining("eventId");
  }

  @Test
  void anUnreachableRedisFailsPublishWithTheServerAndTheNotifierCountsInstead() throws Exception {
    int port = RedisServer.freePort();
    try (RedisEventBus bus = RedisEventBus.builder("redis://127.0.0.1:" + port)
        .setCommandTimeout(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> bus.publish(new StreamEvent("e-1", "t", null, "{}")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Redis at 127.0.0.1:" + port).hasMessageContaining("redis-server running");
      bus.notifier().notify(event("INC-1", IncidentEvent.Kind.OPENED, AT, "x"));
      assertThat(bus.notifyFailures()).isEqualTo(1);
      try (RedisEventConsumer c = bus.consumer("g", "c", e -> {}).setBlock(Duration.ofMillis(100)).build()) {
        assertThatThrownBy(c::poll).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("127.0.0.1:" + port);
      }
    }
  }
}
