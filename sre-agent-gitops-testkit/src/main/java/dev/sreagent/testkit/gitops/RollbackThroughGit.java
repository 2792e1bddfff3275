package dev.sreagent.testkit.gitops;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.gitops.GitRollbackExecutor;
import java.util.Objects;
import java.util.Optional;

/**
 * Rollbacks through Git, every other action to the cluster's own executor (the simulation's, or a cluster server's in
 * another process); {@code reconcile} asks the cluster first, then Git. A rollback that completed (merged and synced,
 * not a dry run) is handed to an {@link Effect}, for example to report it to the simulation's guardrail oracle as the
 * simulation's executor reports its own effects.
 */
final class RollbackThroughGit implements ActionExecutor {
  /** What to do with a rollback that took effect through Git. */
  @FunctionalInterface
  interface Effect {
    void tookEffect(ActionResult result, Action action, ExecutionContext context);
  }

  private final String name;
  private final GitRollbackExecutor git;
  private final ActionExecutor cluster;
  private final Effect onGitEffect;

  RollbackThroughGit(String name, GitRollbackExecutor git, ActionExecutor cluster, Effect onGitEffect) {
    this.name = Objects.requireNonNull(name, "name");
    this.git = Objects.requireNonNull(git, "git");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.onGitEffect = Objects.requireNonNull(onGitEffect, "onGitEffect");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean supports(Action action) {
    return git.supports(action) || cluster.supports(action);
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    if (!git.supports(action)) {
      return cluster.execute(action, context);
    }
    ActionResult r = git.execute(action, context);
    if (r.succeeded() && !context.dryRun()) {
      onGitEffect.tookEffect(r, action, context);
    }
    return r;
  }

  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    Optional<ActionResult> r = cluster.reconcile(idempotencyKey);
    return r.isPresent() ? r : git.reconcile(idempotencyKey);
  }
}
