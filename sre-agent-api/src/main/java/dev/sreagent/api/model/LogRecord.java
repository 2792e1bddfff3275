package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One log line.
 *
 * @param timestamp when it was written
 * @param service the service that wrote it
 * @param severity severity text, for example {@code ERROR}
 * @param body the message
 * @param attributes extra attributes (pod, host, ...)
 */
public record LogRecord(Instant timestamp, String service, String severity, String body,
    Map<String, String> attributes) implements Signal {
  public LogRecord {
    Objects.requireNonNull(timestamp, "timestamp");
    Require.notBlank(service, "service");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(body, "body");
    attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
  }
}
