/**
 * Adapter: a {@link dev.sreagent.api.port.LockService} on one Redis server (Lettuce),
 * {@link dev.sreagent.redis.RedisLockService}: {@code SET NX PX} and a per-target fencing token in one Lua script,
 * compare-and-act release and renewal. See the class documentation for what it guarantees and what it does not.
 *
 * <p>Adapter: an event bus on one Redis stream, {@link dev.sreagent.redis.RedisEventBus} (publish with
 * {@code XADD MAXLEN ~}, an incident-event notifier) and {@link dev.sreagent.redis.RedisEventConsumer} (consumer groups,
 * {@code XACK} after the handler, {@code XAUTOCLAIM} reclaim, de-duplication across agents); at least once per group.
 */
@NullMarked
package dev.sreagent.redis;

import org.jspecify.annotations.NullMarked;
