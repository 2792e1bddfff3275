/**
 * Contract tests for the ports: abstract JUnit 5 classes that state what every implementation promises. An adapter's
 * test extends the class of its port and says how to create it; the in-memory implementations of the SDK run them
 * too. In the spirit of Micrometer's compatibility kit.
 *
 * <pre>{@code
 * class RedisLockServiceTest extends LockServiceContract {
 *   @Override
 *   protected LockService create(VirtualClock clock) {
 *     return new RedisLockService(redisUri, clock);
 *   }
 * }
 * }</pre>
 */
@NullMarked
package dev.sreagent.testkit.contract;

import org.jspecify.annotations.NullMarked;
