package dev.sreagent.jdbc;

import java.util.Objects;

/**
 * Where an {@link OutboxRelay} publishes outbox events: an event bus, a webhook, the operator layer. Delivery is at
 * least once: after a relay crash, or when {@link #publish} throws, the same event (same
 * {@link OutboxEvent#eventId()}) comes again, so a consumer must be idempotent; {@link #deduplicating} makes one that
 * is, within one process.
 */
@FunctionalInterface
public interface OutboxConsumer {
  /**
   * Publishes {@code event}; returns when it is safely handed on. Throwing stops the relay's batch: this event and
   * those after it are retried on the next round.
   */
  void publish(OutboxEvent event) throws Exception;

  /**
   * {@code delegate} behind a memory of the last {@code capacity} event ids it was given: a redelivered event is
   * dropped (and counted) instead of published twice. A consumer that must survive its own restarts records the ids
   * where it records the effect, in the same transaction.
   */
  static DeduplicatingConsumer deduplicating(OutboxConsumer delegate, int capacity) {
    return new DeduplicatingConsumer(Objects.requireNonNull(delegate, "delegate"), capacity);
  }

  /** As {@link #deduplicating(OutboxConsumer, int)} remembering {@link DeduplicatingConsumer#DEFAULT_CAPACITY} ids. */
  static DeduplicatingConsumer deduplicating(OutboxConsumer delegate) {
    return deduplicating(delegate, DeduplicatingConsumer.DEFAULT_CAPACITY);
  }
}
