/**
 * Adapter: a {@link dev.sreagent.api.port.LockService} on one Redis server (Lettuce),
 * {@link dev.sreagent.redis.RedisLockService}: {@code SET NX PX} and a per-target fencing token in one Lua script,
 * compare-and-act release and renewal. See the class documentation for what it guarantees and what it does not.
 */
@NullMarked
package dev.sreagent.redis;

import org.jspecify.annotations.NullMarked;
