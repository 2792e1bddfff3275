package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An idempotent {@link OutboxConsumer}: publishes each event id once to its delegate, drops redeliveries of the last
 * {@code capacity} ids and counts them. An id is remembered only after the delegate returned, so a failed publish is
 * retried. Thread-safe (publishes one event at a time).
 */
public final class DeduplicatingConsumer implements OutboxConsumer {
  /** Event ids remembered by default. */
  public static final int DEFAULT_CAPACITY = 100_000;

  private final OutboxConsumer delegate;
  private final int capacity;
  private final Map<String, Boolean> seen;
  private long duplicates;
  private long published;

  DeduplicatingConsumer(OutboxConsumer delegate, int capacity) {
    this.delegate = delegate;
    this.capacity = Require.atLeast(capacity, 1, "capacity");
    this.seen = new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > DeduplicatingConsumer.this.capacity;
      }
    };
  }

  @Override
  public synchronized void publish(OutboxEvent event) throws Exception {
    if (seen.containsKey(event.eventId())) {
      duplicates++;
      return;
    }
    delegate.publish(event);
    seen.put(event.eventId(), Boolean.TRUE);
    published++;
  }

  /** Redeliveries dropped so far. */
  public synchronized long duplicates() {
    return duplicates;
  }

  /** Events handed to the delegate so far. */
  public synchronized long published() {
    return published;
  }
}
