package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The config repository commits a GitOps tool deployed for a rollback's workload, newest first — for example Argo CD's
 * {@code Application.status.history} ({@link ArgoCdSyncStatus} implements this port). Given to
 * {@link GitRollbackExecutor.Builder#setDeployedRevisions}, it decides the healthy commit: the newest deployed commit
 * at which the declaration held the healthy image, rather than the newest commit of the file's history that held it
 * (which may never have been deployed, for example a commit reverted before the next sync). When the history is kept
 * but none of its commits declares the healthy image there, the rollback is refused naming the revisions read (the
 * rollout history and the GitOps tool disagree; the agent does not guess); an empty history (the tool keeps none)
 * leaves the decision to the repository's history, and the commit message says which source was used.
 */
@FunctionalInterface
public interface DeployedRevisions {
  /**
   * The deployments of {@code rollback}'s workload, newest first; empty when the tool keeps none. Failures are thrown
   * (the executor stands down and the agent may plan again).
   */
  List<Deployed> deployed(ImageRollback rollback);

  /** The source's name in messages for {@code rollback}, for example {@code Argo CD application argocd/shop-cart}. */
  default String describeFor(ImageRollback rollback) {
    return "the deployment history";
  }

  /**
   * One deployment.
   *
   * @param revision the full commit sha deployed
   * @param deployedAt when, as the tool wrote it (RFC 3339), or null
   */
  record Deployed(String revision, @Nullable String deployedAt) {
    /** Checks the revision. */
    public Deployed {
      Require.notBlank(revision, "revision");
    }

    /** {@code abcdef1234 (deployed 2026-...)} for messages. */
    String describe() {
      return revision.substring(0, Math.min(10, revision.length())) + (deployedAt == null ? ""
          : " (deployed " + deployedAt + ")");
    }
  }
}
