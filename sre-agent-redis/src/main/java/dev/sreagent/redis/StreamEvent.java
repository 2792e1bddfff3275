package dev.sreagent.redis;

import dev.sreagent.api.Require;
import dev.sreagent.api.event.IncidentEvent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event on a Redis stream: the fields of one stream entry. Its shape is that of the JDBC outbox's event without
 * depending on that module (adapters do not depend on each other), so the bridge is one line at the composition root:
 *
 * <pre>{@code
 * OutboxConsumer toStream = e -> bus.publish(new StreamEvent(e.eventId(), e.type(), e.incidentId(), e.payload()));
 * }</pre>
 *
 * @param eventId stable and unique: the same on every republication of the same event, so consumers de-duplicate by it
 * @param type what happened, e.g. {@code incident.opened}
 * @param incidentId the incident it is about, or null
 * @param payload the body, usually JSON
 */
public record StreamEvent(String eventId, String type, @Nullable String incidentId, String payload) {
  static final String ID = "id";
  static final String TYPE = "type";
  static final String INCIDENT = "incident";
  static final String PAYLOAD = "payload";

  public StreamEvent {
    Require.notBlank(eventId, "eventId");
    Require.notBlank(type, "type");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * The key under which agents' notifications of the same thing are one: the incident and the type (for
   * {@link #of(IncidentEvent)}, the event kind), or the event id when the event is about no incident.
   */
  public String notificationKey() {
    return incidentId == null ? eventId : incidentId + ":" + type;
  }

  /**
   * The stream event of an agent's incident event: type {@code incident.<kind>} (e.g. {@code incident.opened}), event
   * id {@code <incident>:<kind>:<epoch ms>}, payload a small JSON object (at, kind, incident, type, severity, state,
   * rootService, message). Two agents that notify the same incident and kind share {@link #notificationKey()}.
   */
  public static StreamEvent of(IncidentEvent event) {
    Objects.requireNonNull(event, "event");
    String kind = event.kind().name().toLowerCase(Locale.ROOT);
    var incident = event.incident();
    String json = "{\"at\":" + quote(event.at().toString()) + ",\"kind\":" + quote(event.kind().name())
        + ",\"incident\":" + quote(incident.id()) + ",\"type\":" + quote(incident.type().name())
        + ",\"severity\":" + quote(incident.severity().name()) + ",\"state\":" + quote(incident.state().name())
        + ",\"rootService\":" + quote(incident.rootService()) + ",\"message\":" + quote(event.message()) + "}";
    return new StreamEvent(incident.id() + ":" + kind + ":" + event.at().toEpochMilli(), "incident." + kind,
        incident.id(), json);
  }

  /** The entry's fields, in the order they are written. */
  Map<String, String> fields() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(ID, eventId);
    f.put(TYPE, type);
    if (incidentId != null) {
      f.put(INCIDENT, incidentId);
    }
    f.put(PAYLOAD, payload);
    return f;
  }

  /** The event of an entry's fields, or null when they are not one (an entry written by something else, or trimmed). */
  static @Nullable StreamEvent fromFields(@Nullable Map<String, String> f) {
    if (f == null) {
      return null;
    }
    String id = f.get(ID);
    String type = f.get(TYPE);
    String payload = f.get(PAYLOAD);
    if (id == null || id.isBlank() || type == null || type.isBlank() || payload == null) {
      return null;
    }
    return new StreamEvent(id, type, f.get(INCIDENT), payload);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
