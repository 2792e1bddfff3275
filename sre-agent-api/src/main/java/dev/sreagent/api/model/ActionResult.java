package dev.sreagent.api.model;

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
  public enum Status { SUCCEEDED, FAILED, DRY_RUN, REJECTED }

  public ActionResult {
    Checks.notBlank(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
  }

  /** Whether the change took place. */
  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }
}
