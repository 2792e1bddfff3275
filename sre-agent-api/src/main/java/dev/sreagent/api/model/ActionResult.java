package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one execution.
 *
 * @param idempotencyKey the key it ran under
 * @param status what happened
 * @param message detail for humans
 * @param at when it finished
 */
public record ActionResult(String idempotencyKey, Status status, String message, Instant at) {
  /** Execution outcomes. */
  public enum Status {
    /** The change took place. */
    SUCCEEDED,
    /** The change did not take place (the executor says so); it may be retried. */
    FAILED,
    /** Validated only; nothing changed. */
    DRY_RUN,
    /** Refused by the executor (stale fencing token, invalid for the target now); never retried. */
    REJECTED,
    /** No answer in time: the outcome is unknown and must be reconciled before any retry. */
    TIMED_OUT,
    /** Not attempted: the executor's circuit is open or its bulkhead is full. */
    UNAVAILABLE
  }

  public ActionResult {
    Require.notBlank(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
  }

  /** Whether the change took place. */
  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }
}
