/**
 * GitOps adapter (issue 15, first increment): rolls a workload back through the config repository that Argo CD or
 * Flux syncs the cluster from, on JGit. {@link dev.sreagent.gitops.GitRollbackExecutor} carries out a
 * {@link dev.sreagent.api.model.Action.RollBack}: it finds the one file that declares the bad image (a manifest's
 * {@code containers[].image}, a Kustomize {@code images:} override, a Helm values entry), the newest commit at which
 * that declaration held the healthy image, restores that value with an edit that touches only its lines, and pushes the
 * commit as a new branch that carries the incident and the idempotency key; ambiguity and a missing healthy commit are
 * refused with the reason. {@link dev.sreagent.gitops.RollbackImages} says what a rollback's revisions mean in images
 * (from the Kubernetes adapter's rollout history), {@link dev.sreagent.gitops.ImageRollback} is that meaning and
 * {@link dev.sreagent.gitops.CommitAuthor} the configured identity of the agent's commits.
 *
 * {@link dev.sreagent.gitops.GitHost} is the port to the host's pull requests, with
 * {@link dev.sreagent.gitops.GitHubHost} on GitHub's REST API and {@link dev.sreagent.gitops.GitLabHost} on GitLab's
 * merge requests; with one, the executor opens exactly one pull request per
 * idempotency key and checks that its head is the agent's commit. With a {@link dev.sreagent.gitops.SyncStatus} it then
 * waits for the merge (a human's; or its own in AUTONOMOUS when allowed and the checks passed, the phase read through a
 * {@link dev.sreagent.gitops.PhaseLookup}) and for the cluster to run the healthy image before the action completes.
 * {@link dev.sreagent.gitops.DeclaredImages} reads which known image a config tree declares for a workload (for sync
 * emulators and checks). {@link dev.sreagent.gitops.ArgoCdSyncStatus} and {@link dev.sreagent.gitops.FluxSyncStatus}
 * read what Argo CD or Flux applied, and {@link dev.sreagent.gitops.ReplicaSetImages} a Deployment's revisions' images,
 * through fabric8 (an optional dependency: only these classes need it). {@link
 * dev.sreagent.gitops.GitOpsExecutorProvider} builds the executor from {@code gitops.*} configuration keys. Emulators for
 * tests are in {@code sre-agent-gitops-testkit}.
 *
 * <p>Not yet here (issue 15): the inverse pull request when the rollback does not help, Argo CD's history as the source
 * of the healthy commit.
 */
@NullMarked
package dev.sreagent.gitops;

import org.jspecify.annotations.NullMarked;
