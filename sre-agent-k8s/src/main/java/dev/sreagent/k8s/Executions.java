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
   * API errors become FAILED results (TIMED_OUT when a call timed out), never exceptions.
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
      if (e.getCode() <= 0) {  // fabric8's code when no HTTP answer came (-1 or 0)
        return noAnswer(context, e);
      }
      String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : e.getMessage();
      return result(context, ActionResult.Status.FAILED, "Kubernetes API answered HTTP " + e.getCode() + ": "
          + detail);
    } catch (RuntimeException e) {  // connection refused, timeouts: a result, never an exception (the port's rule)
      return noAnswer(context, e);
    }
  }

  /**
   * The result of a call that got no HTTP answer: TIMED_OUT when the request timed out or the wait for its answer was
   * interrupted (a write may have landed: the outcome is unknown, so it is reconciled before any retry), else FAILED
   * (the connection failed), naming the cause.
   */
  private ActionResult noAnswer(ExecutionContext context, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      boolean timedOut = t instanceof java.net.http.HttpTimeoutException || t instanceof java.io.InterruptedIOException
          || t instanceof java.util.concurrent.TimeoutException;
      if (timedOut || t instanceof InterruptedException) {
        return result(context, ActionResult.Status.TIMED_OUT, "Kubernetes API call " + (timedOut ? "timed out"
            : "interrupted") + " (" + t + "): whether it changed anything is unknown; reconcile before retrying. "
            + e.getMessage());
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return result(context, ActionResult.Status.FAILED, "Kubernetes API call failed without an answer: " + e
        + (root == e ? "" : " (cause: " + root + ")"));
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
