/**
 * Resilient execution: every executor is wrapped with a Resilience4j bulkhead, circuit breaker and time limiter
 * ({@link dev.sreagent.core.execution.ResilientActionExecutor}); the agent retries with exponential backoff and
 * jitter on its own clock and reconciles an unknown outcome before any retry.
 */
@NullMarked
package dev.sreagent.core.execution;

import org.jspecify.annotations.NullMarked;
