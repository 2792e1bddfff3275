package dev.sreagent.gitops;

import dev.sreagent.api.model.ActionResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jspecify.annotations.Nullable;

/**
 * Finds the one declaration of the bad image in the base branch's head, and the last commit at which that declaration
 * held the healthy image. Never guesses: two declarations (also a Kustomize patch and an {@code images:} override of the
 * same image name), none, or no commit with the healthy image are answered with the reason.
 */
final class ChangeLocator {
  /**
   * The change to undo.
   *
   * @param bad the declaration of the bad image at the head
   * @param headText the file's text at the head
   * @param healthyCommit the newest commit at which the declaration held the healthy image
   * @param healthy the declaration at that commit
   * @param healthyText the file's text at that commit
   * @param changedBy the commit after {@code healthyCommit} that changed the file (introducing the bad value), if known
   * @param healthySource where the healthy commit came from, for messages: the GitOps tool's deployment, or null for
   *     the file's history
   */
  record Located(Declaration bad, String headText, RevCommit healthyCommit, Declaration healthy, String healthyText,
      @Nullable RevCommit changedBy, @Nullable String healthySource) {}

  /**
   * Either a location or a refusal.
   *
   * @param located the change, or null
   * @param status the result status of a refusal (REJECTED: a human must look; FAILED: stood down, plan again)
   * @param reason why, for a refusal
   */
  record Outcome(@Nullable Located located, ActionResult.@Nullable Status status, @Nullable String reason) {
    static Outcome refused(ActionResult.Status status, String reason) {
      return new Outcome(null, status, reason);
    }
  }

  private final ConfigRepository repo;
  private final String baseBranch;
  private final List<String> searchPaths;
  private final @Nullable DeployedRevisions deployments;

  ChangeLocator(ConfigRepository repo, String baseBranch, List<String> searchPaths) {
    this(repo, baseBranch, searchPaths, null);
  }

  /** With {@code deployments}, the healthy commit is the newest deployed one that held the healthy image. */
  ChangeLocator(ConfigRepository repo, String baseBranch, List<String> searchPaths,
      @Nullable DeployedRevisions deployments) {
    this.repo = repo;
    this.baseBranch = baseBranch;
    this.searchPaths = searchPaths;
    this.deployments = deployments;
  }

  Outcome locate(RevCommit head, ImageRollback target) throws IOException, GitAPIException {
    ImageRef bad = ImageRef.parse(target.badImage());
    ImageRef healthy = ImageRef.parse(target.healthyImage());
    List<String> problems = new ArrayList<>();
    Map<String, String> files = repo.files(head, searchPaths, YamlDeclarations::candidate, problems);
    java.util.function.Function<String, Optional<String>> fileAt = p -> Optional.ofNullable(files.get(p));
    List<Declaration> found = new ArrayList<>();
    List<Declaration> healthyNow = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      YamlDeclarations.Scan scan = YamlDeclarations.scan(f.getKey(), f.getValue(), target, bad, fileAt);
      found.addAll(scan.declarations());
      conflicts.addAll(scan.conflicts());
      if (scan.problem() != null) {
        problems.add(scan.problem());
      }
      healthyNow.addAll(YamlDeclarations.scan(f.getKey(), f.getValue(), target, healthy, fileAt).declarations());
    }
    String where = "branch " + baseBranch + " at " + head.abbreviate(10).name()
        + (searchPaths.isEmpty() ? "" : " under " + searchPaths);
    String skipped = problems.isEmpty() ? "" : "; files not read: " + problems;
    if (!conflicts.isEmpty()) {
      return Outcome.refused(ActionResult.Status.REJECTED, "ambiguous: " + target.badImage() + " for "
          + target.describe() + " is declared twice in " + where + ": " + String.join("; ", conflicts)
          + "; nothing committed" + skipped);
    }
    if (found.size() > 1) {
      return Outcome.refused(ActionResult.Status.REJECTED, "ambiguous: " + found.size() + " declarations of "
          + target.badImage() + " for " + target.describe() + " in " + where + ": "
          + found.stream().map(Declaration::describe).toList() + "; the agent does not guess which one the cluster"
          + " runs: narrow the search paths to the cluster's overlay or values file (setSearchPaths) or roll back by"
          + " hand" + skipped);
    }
    if (found.isEmpty()) {
      if (!healthyNow.isEmpty()) {
        return Outcome.refused(ActionResult.Status.FAILED, "stood down: " + where + " already declares the healthy"
            + " image " + target.healthyImage() + " (" + healthyNow.stream().map(Declaration::describe).toList()
            + ") and no longer " + target.badImage() + ": someone rolled back in Git already, or the cluster has not"
            + " synced it yet; nothing committed: plan again on the current state");
      }
      return Outcome.refused(ActionResult.Status.REJECTED, "no file in " + where + " declares " + target.badImage()
          + " for " + target.describe() + " (read " + files.size() + " YAML files as manifests, Kustomize images"
          + " overrides and Helm values" + skipped + "); is this the repository and branch the cluster syncs, or is"
          + " the image set outside it (an Argo CD parameter override, helm --set)? Nothing committed");
    }
    Declaration declaration = found.get(0);
    if (deployments != null) {
      List<DeployedRevisions.Deployed> deployed;
      try {
        deployed = deployments.deployed(target);
      } catch (RuntimeException e) {
        return Outcome.refused(ActionResult.Status.FAILED, "stood down: could not read "
            + deployments.describeFor(target) + " for " + target.describe() + " (" + e.getMessage() + "); nothing"
            + " committed: plan again");
      }
      if (!deployed.isEmpty()) {
        return deployedHealthyCommit(head, declaration, files.get(declaration.path()), target, healthy, deployed);
      }
    }
    Optional<Located> located = healthyCommit(head, declaration, files.get(declaration.path()), target, healthy);
    if (located.isEmpty() && repo.isShallow()) {
      repo.unshallow(baseBranch);
      located = healthyCommit(head, declaration, files.get(declaration.path()), target, healthy);
    }
    if (located.isEmpty()) {
      return Outcome.refused(ActionResult.Status.REJECTED, "no commit of branch " + baseBranch + " declares the"
          + " healthy image " + target.healthyImage() + " at " + declaration.locus() + " of " + declaration.path()
          + " (searched every commit that changed the file): the revision the rollout history calls healthy was not"
          + " deployed from this declaration, so there is no healthy value to restore; the agent does not guess one."
          + " Roll back by hand");
    }
    return new Outcome(located.get(), null, null);
  }

  /** The newest of {@code deployed} at which {@code bad}'s declaration held the healthy image, else a refusal. */
  private Outcome deployedHealthyCommit(RevCommit head, Declaration bad, String headText, ImageRollback target,
      ImageRef healthy, List<DeployedRevisions.Deployed> deployed) throws IOException, GitAPIException {
    List<String> missing = new ArrayList<>();
    for (DeployedRevisions.Deployed d : deployed) {
      Optional<RevCommit> c = repo.find(d.revision());
      if (c.isEmpty() && repo.isShallow()) {
        repo.unshallow(baseBranch);
        c = repo.find(d.revision());
      }
      if (c.isEmpty()) {
        missing.add(d.describe());
        continue;
      }
      Optional<String> text = repo.file(c.get(), bad.path());
      Optional<Declaration> match = text.flatMap(t -> YamlDeclarations.rescan(bad, t, target, healthy).declarations()
          .stream().filter(x -> x.locus().equals(bad.locus())).findFirst());
      if (match.isPresent()) {
        RevCommit changedBy = healthyCommit(head, bad, headText, target, healthy).map(Located::changedBy)
            .orElse(null);  // the commit that changed the declaration away from the healthy image
        return new Outcome(new Located(bad, headText, c.get(), match.get(), text.get(), changedBy,
            "deployed by " + deployments.describeFor(target) + ", " + d.describe()), null, null);
      }
    }
    return Outcome.refused(ActionResult.Status.REJECTED, "no healthy commit: none of the " + deployed.size()
        + " revisions " + deployments.describeFor(target) + " deployed (newest first: "
        + deployed.stream().map(DeployedRevisions.Deployed::describe).toList() + ") declares the healthy image "
        + target.healthyImage() + " at " + bad.locus() + " of " + bad.path()
        + (missing.isEmpty() ? "" : " (not in the repository: " + missing + ")") + ": the rollout history and the"
        + " GitOps tool's history disagree, or the healthy deployment is older than the history kept; the agent does"
        + " not guess. Roll back by hand");
  }

  private Optional<Located> healthyCommit(RevCommit head, Declaration bad, String headText, ImageRollback target,
      ImageRef healthy) throws IOException {
    RevCommit newer = null;
    for (RevCommit c : repo.history(head, bad.path())) {
      Optional<String> text = repo.file(c, bad.path());
      if (text.isPresent()) {
        Optional<Declaration> match = YamlDeclarations.rescan(bad, text.get(), target, healthy).declarations()
            .stream().filter(d -> d.locus().equals(bad.locus())).findFirst();
        if (match.isPresent()) {
          return Optional.of(new Located(bad, headText, c, match.get(), text.get(), newer, null));
        }
      }
      newer = c;
    }
    return Optional.empty();
  }
}
