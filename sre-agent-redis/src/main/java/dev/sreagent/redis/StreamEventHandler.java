package dev.sreagent.redis;

/**
 * Handles the events a {@link RedisEventConsumer} reads. Returning acknowledges the entry ({@code XACK}); throwing
 * leaves it pending, so it is handled again after the consumer's reclaim idle time (by this consumer or another).
 * Delivery is at least once: a handler must tolerate seeing an event again (or let the consumer de-duplicate, see
 * {@link RedisEventConsumer.Builder#setDeduplication}).
 */
@FunctionalInterface
public interface StreamEventHandler {
  /** Handles one event. */
  void handle(StreamEvent event) throws Exception;
}
