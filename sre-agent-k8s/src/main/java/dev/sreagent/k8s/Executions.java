package dev.sreagent.k8s;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the Kubernetes executors share: results on the clock, the conflict rule, and the checks before a change. */
final class Executions {
  private static final Logger LOG = LoggerFactory.getLogger(Executions.class);

  /** One attempt: reads everything it decides on afresh, checks, writes with the {@code resourceVersion} it read. */
  @FunctionalInterface
  interface Attempt {
    ActionResult run(boolean afterConflict);
  }

  private final Clock clock;

  Executions(Clock clock) {
    this.clock = clock;
  }

  ActionResult result(ExecutionContext context, ActionResult.Status status, String message) {
    return new ActionResult(context.idempotencyKey(), status, message, clock.now());
  }

  ActionResult result(String key, ActionResult.Status status, String message) {
    return new ActionResult(key, status, message, clock.now());
  }

  /**
   * Runs {@code attempt}; a 409 (someone changed the object since it was read) runs it once more, re-reading and
   * re-checking everything; a second 409 is a failure. Never a blind overwrite: every write carries the version read.
   * API errors become FAILED results, never exceptions.
   */
  ActionResult withOneRetryOnConflict(ExecutionContext context, Attempt attempt) {
    try {
      try {
        return attempt.run(false);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        LOG.debug("conflict for {}, re-reading and checking again", context.idempotencyKey());
        try {
          return attempt.run(true);
        } catch (KubernetesClientException again) {
          if (again.getCode() == HttpURLConnection.HTTP_CONFLICT) {
            return result(context, ActionResult.Status.FAILED, "the object changed twice while this change was"
                + " written (HTTP 409 twice); nothing was overwritten: " + again.getStatus().getMessage());
          }
          throw again;
        }
      }
    } catch (KubernetesClientException e) {
      String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : e.getMessage();
      return result(context, ActionResult.Status.FAILED, "Kubernetes API answered HTTP " + e.getCode() + ": "
          + detail);
    } catch (RuntimeException e) {  // connection refused, timeouts: a result, never an exception (the port's rule)
      return result(context, ActionResult.Status.FAILED, "Kubernetes API call failed: " + e);
    }
  }

  /**
   * A REJECTED result when {@code context}'s fencing token is lower than one recorded on any of {@code objects} for the
   * same lock {@code target} ({@link dev.sreagent.api.model.Action#target()}): a token only orders the holders of one
   * lock, so a scale under lock {@code scale:cart} is not compared with a restart under {@code restart-pods:cart}.
   */
  Optional<ActionResult> staleToken(ExecutionContext context, String target, HasMetadata... objects) {
    for (HasMetadata o : objects) {
      OptionalLong recorded = ChangeMarks.fencingToken(o, target);
      if (recorded.isPresent() && context.fencingToken() < recorded.getAsLong()) {
        return Optional.of(result(context, ActionResult.Status.REJECTED, "fencing token " + context.fencingToken()
            + " is lower than " + recorded.getAsLong() + " recorded on " + Workloads.describe(o) + " for lock "
            + target + ": another holder of the lock changed it since"));
      }
    }
    return Optional.empty();
  }

  /** A REJECTED result when a GitOps controller owns {@code object}, so {@code change} must go through Git. */
  Optional<ActionResult> managedByGitOps(ExecutionContext context, HasMetadata object, String change) {
    return GitOps.refusal(object, change).map(why -> result(context, ActionResult.Status.REJECTED, why));
  }

  /** A SUCCEEDED result when a change under {@code context}'s key is already recorded on any of {@code objects}. */
  Optional<ActionResult> alreadyApplied(ExecutionContext context, HasMetadata... objects) {
    for (HasMetadata o : objects) {
      if (ChangeMarks.applied(o, context.idempotencyKey())) {
        return Optional.of(result(context, ActionResult.Status.SUCCEEDED, "already applied under key "
            + context.idempotencyKey() + " (recorded on " + Workloads.describe(o) + "); nothing changed again"));
      }
    }
    return Optional.empty();
  }
}
