package dev.sreagent.gitops;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Phase;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of an execution after the pull request is open: waits (on the executor's clock, polling) for its merge —
 * by a human, or by the agent itself when auto-merge is allowed, the phase is AUTONOMOUS and the host's checks passed
 * — and then until the {@link SyncStatus} shows the cluster running the healthy image. Runs without the clone's lock.
 * Every bound that runs out is FAILED with what is still awaited: executing the same key again pushes nothing and
 * resumes the wait.
 */
final class Completion {
  private static final Logger LOG = LoggerFactory.getLogger(GitRollbackExecutor.class);

  private final GitRollbackExecutor executor;
  private final ExecutionContext context;
  private final GitRollbackExecutor.Attempt attempt;
  private final String proposed;
  private final ImageRollback target;
  private final RevCommit commit;

  Completion(GitRollbackExecutor executor, ExecutionContext context, GitRollbackExecutor.Attempt attempt,
      String proposed) {
    this.executor = executor;
    this.context = context;
    this.attempt = attempt;
    this.proposed = proposed;
    this.target = Objects.requireNonNull(attempt.target);
    this.commit = Objects.requireNonNull(attempt.commit);
  }

  ActionResult await() {
    try {
      String merged;
      GitHost.PullRequest pr = attempt.pr;
      if (pr == null) {  // found merged on the base branch (its branch deleted after the merge)
        merged = "commit " + commit.name() + " is merged into the base branch";
      } else {
        Outcome m = awaitMerge(pr);
        if (m.result != null) {
          return m.result;
        }
        merged = Objects.requireNonNull(m.how);
      }
      return awaitSync(merged);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result(ActionResult.Status.TIMED_OUT, proposed + "; interrupted while waiting for the merge or the sync"
          + " (the agent cancelled the action): reconcile, then executing the key again resumes the wait");
    } catch (GitHostException e) {
      if (e.forbidden()) {
        return result(ActionResult.Status.REJECTED, proposed + "; but " + hostName() + " refused with HTTP "
            + e.status() + " while the rollback waited for its merge: " + e.getMessage());
      }
      return result(e.status() == 0 ? ActionResult.Status.TIMED_OUT : ActionResult.Status.FAILED, proposed
          + "; but " + hostName() + " failed while the rollback waited for its merge (" + e.getMessage() + "):"
          + " executing the key again resumes the wait (nothing is pushed again)");
    }
  }

  /**
   * The end of a revert (the inverse of the agent's own rollback), which never waits: the agent runs inverses on its
   * loop's thread. An open pull request is merged by the agent only when auto-merge is allowed, the phase is AUTONOMOUS
   * and the host reports the checks passed right now; otherwise it is left open for a human. Either way the sync is not
   * waited for. SUCCEEDED means the revert pull request exists (its URL in the message); a host failure here leaves it
   * open and is named, not turned into a failure of the revert.
   */
  ActionResult revert() {
    GitHost host = Objects.requireNonNull(executor.host());
    GitHost.PullRequest pr = Objects.requireNonNull(attempt.pr);
    String which = "revert pull request #" + pr.number() + " (" + pr.url() + ")";
    String noWait = "; not waited for: the agent runs an inverse on its loop's thread, so it neither waits for a"
        + " human merge nor for the sync";
    if (pr.state() == GitHost.PullRequest.State.MERGED) {
      return result(ActionResult.Status.SUCCEEDED, proposed + "; " + which + " is merged already" + noWait);
    }
    if (pr.state() == GitHost.PullRequest.State.CLOSED) {
      return result(ActionResult.Status.REJECTED, proposed + "; but " + which + " was closed without a merge: the"
          + " reviewer declined the revert; the cluster still runs " + target.badImage());
    }
    Optional<Phase> phase = executor.phases().phaseOf(context.incidentId());
    if (!executor.autoMerge() || phase.orElse(null) != Phase.AUTONOMOUS) {
      return result(ActionResult.Status.SUCCEEDED, proposed + "; " + which + " is left open for a human to merge ("
          + (executor.autoMerge() ? "phase " + phase.map(Enum::name).orElse("unknown") + ", the agent merges only in"
          + " AUTONOMOUS" : "auto-merge not allowed") + ")" + noWait);
    }
    try {
      GitHost.ChecksState checks = host.checks(commit.name());
      if (checks != GitHost.ChecksState.SUCCESS) {
        return result(ActionResult.Status.SUCCEEDED, proposed + "; " + which + " is left open for a human to merge"
            + " (its checks on " + host.describe() + " are " + checks.name().toLowerCase(java.util.Locale.ROOT)
            + ")" + noWait);
      }
      GitHost.PullRequest after = host.merge(pr.number(), commit.name());
      LOG.info("merged revert {} for incident {} (phase AUTONOMOUS, checks passed)", after.url(),
          context.incidentId());
      return result(ActionResult.Status.SUCCEEDED, proposed + "; " + which + (after.state()
          == GitHost.PullRequest.State.MERGED ? " merged by the agent (phase AUTONOMOUS, auto-merge allowed, the"
          + " checks of " + host.describe() + " passed)" : " is left open: the merge did not take") + noWait);
    } catch (GitHostException e) {
      return result(ActionResult.Status.SUCCEEDED, proposed + "; " + which + " is left open for a human to merge ("
          + host.describe() + " failed while the agent tried to merge it: " + e.getMessage() + ")" + noWait);
    }
  }

  /** Either the way the pull request got merged, or the result that ends the execution. */
  private record Outcome(@Nullable String how, @Nullable ActionResult result) {}

  private Outcome awaitMerge(GitHost.PullRequest first) throws InterruptedException {
    GitHost host = Objects.requireNonNull(executor.host());
    GitHost.PullRequest pr = first;
    Instant deadline = executor.clock().now().plus(executor.mergeTimeout());
    String awaiting = "a human to merge it";
    while (true) {
      String which = "pull request #" + pr.number() + " (" + pr.url() + ")";
      if (pr.state() == GitHost.PullRequest.State.MERGED) {
        return new Outcome(which + " of commit " + commit.name() + " merged by a reviewer", null);
      }
      if (pr.state() == GitHost.PullRequest.State.CLOSED) {
        return new Outcome(null, result(ActionResult.Status.REJECTED, proposed + "; but " + which + " was closed"
            + " without a merge: the reviewer declined the rollback; nothing merged, the cluster still runs "
            + target.badImage()));
      }
      if (!pr.headSha().equals(commit.name())) {
        return new Outcome(null, result(ActionResult.Status.REJECTED, proposed + "; but the head of " + which
            + " is now " + pr.headSha() + ", not the agent's commit " + commit.name() + ": the change under review"
            + " is not the planned one; not merged by the agent, review or close it by hand"));
      }
      Optional<Phase> phase = executor.phases().phaseOf(context.incidentId());
      boolean mayMerge = executor.autoMerge() && phase.orElse(null) == Phase.AUTONOMOUS;
      if (mayMerge) {
        GitHost.ChecksState checks = host.checks(commit.name());
        if (checks == GitHost.ChecksState.SUCCESS) {
          GitHost.PullRequest after = host.merge(pr.number(), commit.name());
          LOG.info("merged {} for incident {} (phase AUTONOMOUS, checks passed)", after.url(), context.incidentId());
          if (after.state() == GitHost.PullRequest.State.MERGED) {
            return new Outcome(which + " of commit " + commit.name() + " merged by the agent (phase AUTONOMOUS,"
                + " auto-merge allowed, the checks of " + host.describe() + " passed)", null);
          }
          pr = after;
          continue;
        }
        if (checks == GitHost.ChecksState.FAILURE) {
          return new Outcome(null, result(ActionResult.Status.REJECTED, proposed + "; but the checks of commit "
              + commit.name() + " failed on " + host.describe() + ": " + which + " is left open and unmerged for a"
              + " human to look at"));
        }
        awaiting = "its checks to pass (phase AUTONOMOUS, auto-merge allowed)";
      } else {
        awaiting = "a human to merge it (" + (executor.autoMerge() ? "phase " + phase.map(Enum::name)
            .orElse("unknown") + ", the agent merges only in AUTONOMOUS" : "auto-merge not allowed") + ")";
      }
      if (!executor.clock().now().isBefore(deadline)) {
        return new Outcome(null, result(ActionResult.Status.FAILED, proposed + "; " + which + " was not merged within "
            + minutes(executor.mergeTimeout()) + ", waiting for " + awaiting + "; nothing changed in the cluster:"
            + " executing the key again resumes the wait (nothing is pushed again)"));
      }
      executor.clock().sleep(executor.pollInterval());
      String branch = Objects.requireNonNull(attempt.branch);
      Optional<GitHost.PullRequest> now = host.findByHead(branch);
      if (now.isEmpty()) {
        return new Outcome(null, result(ActionResult.Status.FAILED, proposed + "; but " + which + " is no longer"
            + " found on " + host.describe() + " by its branch " + branch + ": look at it, then plan again"));
      }
      pr = now.get();
    }
  }

  private ActionResult awaitSync(String merged) throws InterruptedException {
    SyncStatus sync = executor.syncStatus();
    Instant deadline = executor.clock().now().plus(executor.syncTimeout());
    String last = "nothing observed yet";
    while (true) {
      try {
        SyncStatus.Observation o = sync.observe(target);
        last = describe(o);
        if (runsHealthy(o)) {
          LOG.info("{} runs {} for incident {}", target.describe(), target.healthyImage(), context.incidentId());
          return result(ActionResult.Status.SUCCEEDED, proposed + "; " + merged + "; " + sync.describe() + ": the"
              + " cluster runs " + target.healthyImage() + " for " + target.describe() + " (" + last + ")");
        }
      } catch (GitAPIException | IOException | RuntimeException e) {
        last = "could not read " + sync.describe() + ": " + e.getMessage();
        LOG.debug("{}", last, e);
      }
      if (!executor.clock().now().isBefore(deadline)) {
        return result(ActionResult.Status.FAILED, proposed + "; " + merged + "; but the cluster did not run "
            + target.healthyImage() + " for " + target.describe() + " within " + minutes(executor.syncTimeout())
            + " of the merge (" + sync.describe() + ": " + last + "): is the sync tool paused or failing? executing the"
            + " key again resumes the wait");
      }
      executor.clock().sleep(executor.pollInterval());
    }
  }

  /** Every reported part agrees, and at least one is reported. */
  private boolean runsHealthy(SyncStatus.Observation o) throws GitAPIException, IOException {
    if (!o.known()) {
      return false;
    }
    if (!o.images().isEmpty()) {
      ImageRef healthy = ImageRef.parse(target.healthyImage());
      ImageRef bad = ImageRef.parse(target.badImage());
      boolean runsHealthy = o.images().stream().anyMatch(i -> ImageRef.parse(i).sameImage(healthy));
      boolean runsBad = o.images().stream().anyMatch(i -> ImageRef.parse(i).sameImage(bad));
      if (!runsHealthy || runsBad) {
        return false;
      }
    }
    String revision = o.syncedRevision();
    return revision == null || revision.equals(commit.name()) || executor.revisionContains(revision, commit.name());
  }

  private static String describe(SyncStatus.Observation o) {
    return (o.syncedRevision() == null ? "" : "synced revision " + o.syncedRevision())
        + (o.syncedRevision() != null && !o.images().isEmpty() ? ", " : "")
        + (o.images().isEmpty() ? "" : "images " + o.images())
        + (o.known() ? "" : "nothing reported");
  }

  private String hostName() {
    GitHost host = executor.host();
    return host == null ? "the Git host" : host.describe();
  }

  private static String minutes(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  private ActionResult result(ActionResult.Status status, String message) {
    return new ActionResult(context.idempotencyKey(), status, message, executor.clock().now());
  }
}
