package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.IncidentStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link Action.RollBack} through the config repository that Argo CD or Flux syncs the cluster from: it
 * restores the last healthy image in the one file that declares it and pushes that commit as a new branch named after
 * the incident and the idempotency key. The Kubernetes executors refuse GitOps-managed workloads and name this path.
 *
 * <p>Per execution: fetch the base branch (shallow, {@link Builder#setCloneDepth}) and the agent's branches into a
 * bare clone in the work directory; if a branch (or a commit of the base branch) already carries the idempotency key,
 * answer SUCCEEDED and push nothing again; refuse a fencing token lower than one an agent branch records for the same
 * lock; find the single file that declares the bad image ({@link RollbackImages} says which) as a manifest's
 * {@code containers[].image}, a Kustomize {@code images:} override or a Helm values entry; find the newest commit at
 * which that declaration held the healthy image (fetching the whole history once when the shallow one does not reach
 * it); replace only the scalars that differ by their text at that commit (so only those lines change: comments,
 * order and quoting stay); commit with a message quoting the incident, the diagnosis, the plan hash, the fencing token
 * and an idempotency-key trailer; push it as a new branch (the remote accepts it only if the branch does not exist).
 *
 * <p>Refused (REJECTED, nothing pushed): no image change for the action's revisions; two or more declarations of the
 * bad image (ambiguous); none; no commit with the healthy image at that declaration; a declaration that cannot be
 * restored by replacing values; a stale fencing token; a remote that refuses the credentials or the push (the
 * remote's words quoted). Stood down (FAILED): the base branch already declares the healthy image; network failures
 * (TIMED_OUT when the push's answer was lost: {@link #reconcile} first). A dry run does everything but the commit and
 * push and answers DRY_RUN with the edit it would make.
 *
 * <p>With a {@link GitHost} ({@link Builder#setGitHost}), the execution then makes sure exactly one pull request of
 * the branch exists (found by its head branch, else opened from the commit's message, labelled) and that its head is
 * the agent's commit (else REJECTED: the change under review is not the planned one). The branch is the durable state:
 * it carries the key, so a re-execution after a crash between the push and the pull request finds it, pushes nothing
 * again and resumes at the pull request; {@link #reconcile} answers FAILED ("half done") for such a key so the agent
 * executes it again. A host that refuses with 401/403 is REJECTED naming the status; a host that fails otherwise
 * leaves the branch pushed and answers FAILED (TIMED_OUT without an answer). Without a host, SUCCEEDED means the branch
 * is on the remote.
 *
 * <p>With a {@link SyncStatus} ({@link Builder#setSyncStatus}) the execution goes on until the change is in the
 * cluster: it waits (polling on the clock, without the clone's lock) for the pull request's merge — by a human; or, when
 * {@link Builder#setAutoMerge} allows it and the {@link PhaseLookup} says the incident's phase is AUTONOMOUS, by the
 * agent once the host reports the head commit's checks passed — then until the cluster runs the healthy image, and only
 * then answers SUCCEEDED, its message naming the pull request's URL, the agent's commit and what the cluster runs. A
 * pull request closed unmerged, or whose head moved, or whose checks failed is REJECTED; a bound that runs out is FAILED
 * naming what is still awaited (executing the key again resumes the wait). Give the agent's executor policy a time limit
 * of at least {@link #timeLimit()}.
 *
 * <p>The inverse ({@code RollBack(service, to, from)}, which the agent runs when its verification finds that the
 * rollback did not help): when the base branch holds the agent's own merged rollback commit for the same incident
 * (trailers {@code Sre-Agent-Incident} and {@code Sre-Agent-Action}), the execution is a <b>revert</b> of that commit:
 * only the image lines back to what it replaced (the state before the agent's own change), on its own branch
 * ({@code -revert-}) with the idempotency key, {@code Sre-Agent-Reverts} naming the commit, and a pull request quoting
 * the incident and why. It never waits (the core runs inverses on its loop's thread): the pull request is left open
 * for a human, or, with auto-merge in AUTONOMOUS, merged if its checks have passed; the sync is not waited for. An
 * agent rollback that is on its branch but not merged is not reverted (REJECTED: close its pull request).
 *
 * <p>JGit never starts {@code git} here: the system git configuration is not read ({@link JGitIsolation}), commits are
 * built from objects with the configured {@link CommitAuthor} and the clock's time, unsigned, and no hook runs.
 */
public final class GitRollbackExecutor implements ActionExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(GitRollbackExecutor.class);
  /** The prefix of the agent's branches, unless set. */
  public static final String DEFAULT_BRANCH_PREFIX = "sre-agent/rollback/";
  /** The branch the cluster syncs from, unless set. */
  public static final String DEFAULT_BASE_BRANCH = "main";
  /** Commits fetched from the base branch's head, unless set. */
  public static final int DEFAULT_CLONE_DEPTH = 50;
  /** Network timeout of a fetch or a push, unless set. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 60;
  /** The user name sent with a token (GitHub's convention; GitLab accepts any name with a token). */
  public static final String DEFAULT_TOKEN_USER = "x-access-token";
  /** How long a human has to merge the pull request, unless set. */
  public static final Duration DEFAULT_MERGE_TIMEOUT = Duration.ofHours(1);
  /** How long the cluster has to run the healthy image after the merge, unless set. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofMinutes(10);
  /** How often the pull request and the sync status are read while waiting, unless set. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
  /** How far down an agent branch its commit is looked for (someone may have pushed onto the branch). */
  static final int BRANCH_COMMITS_SEARCHED = 20;

  private final ConfigRepository.GitRemote remote;
  private final String baseBranch;
  private final String branchPrefix;
  private final List<String> searchPaths;
  private final Path workDirectory;
  private final CommitAuthor author;
  private final RollbackImages images;
  private final @Nullable IncidentStore incidents;
  private final Clock clock;
  private final @Nullable GitHost host;
  private final List<String> labels;
  private final @Nullable SyncStatus syncStatus;
  private final @Nullable DeployedRevisions deployments;
  private final boolean autoMerge;
  private final PhaseLookup phases;
  private final Duration mergeTimeout;
  private final Duration syncTimeout;
  private final Duration pollInterval;
  private final Object lock = new Object();

  private GitRollbackExecutor(Builder b, ConfigRepository.GitRemote remote) {
    this.remote = remote;
    this.baseBranch = b.baseBranch;
    this.branchPrefix = b.branchPrefix;
    this.searchPaths = List.copyOf(b.searchPaths);
    this.workDirectory = Objects.requireNonNull(b.workDirectory);
    this.author = b.author;
    this.images = Objects.requireNonNull(b.images);
    this.incidents = b.incidents;
    this.clock = b.clock;
    this.host = b.host;
    this.labels = List.copyOf(b.labels);
    this.syncStatus = b.syncStatus;
    this.deployments = b.deployments;
    this.autoMerge = b.autoMerge;
    this.phases = b.phases;
    this.mergeTimeout = b.mergeTimeout;
    this.syncTimeout = b.syncTimeout;
    this.pollInterval = b.pollInterval;
  }

  /**
   * The longest one execution may take (clock time): the Git work, the wait for the merge and the wait for the sync,
   * plus two network timeouts. Give the agent's executor policy a time limit of at least this
   * ({@code ExecutorPolicy.defaults().withTimeout(executor.timeLimit())}): the policy's limit is real time, and a call
   * cut off by it is reconciled, then executed again (which resumes the wait).
   */
  public Duration timeLimit() {
    Duration git = Duration.ofSeconds(2L * remote.timeoutSeconds());
    return syncStatus == null ? git : git.plus(mergeTimeout).plus(syncTimeout);
  }

  /** {@link #timeLimit()}: an agent given this executor without a policy in code waits that long for it. */
  @Override
  public Optional<Duration> longestCall() {
    return Optional.of(timeLimit());
  }

  // read by Completion, which waits without the clone's lock
  Clock clock() {
    return clock;
  }

  @Nullable GitHost host() {
    return host;
  }

  SyncStatus syncStatus() {
    return Objects.requireNonNull(syncStatus);
  }

  boolean autoMerge() {
    return autoMerge;
  }

  PhaseLookup phases() {
    return phases;
  }

  Duration mergeTimeout() {
    return mergeTimeout;
  }

  Duration syncTimeout() {
    return syncTimeout;
  }

  Duration pollInterval() {
    return pollInterval;
  }

  String remoteUri() {
    return remote.uri();
  }

  /**
   * Whether {@code revision} of the config repository is the agent's {@code commit} or a later commit that contains
   * it: fetches the base branch under the clone's lock.
   */
  boolean revisionContains(String revision, String commit) throws GitAPIException, IOException {
    synchronized (lock) {
      try (ConfigRepository repo = ConfigRepository.open(workDirectory, remote)) {
        if (repo.contains(revision, commit)) {
          return true;
        }
        repo.fetch(baseBranch, branchPrefix);
        return repo.contains(revision, commit);
      }
    }
  }

  /** A builder; {@link Builder#setRemote}, {@link Builder#setWorkDirectory} and {@link Builder#setImages} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "gitops-rollback";
  }

  @Override
  public boolean supports(Action action) {
    return action instanceof Action.RollBack;
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    if (!(action instanceof Action.RollBack rollBack)) {
      return result(context.idempotencyKey(), ActionResult.Status.REJECTED, name() + " does not support "
          + action.canonical());
    }
    Attempt attempt = new Attempt();
    ActionResult proposed;
    synchronized (lock) {  // one clone per work directory; not held while waiting for the merge and the sync
      try (ConfigRepository repo = ConfigRepository.open(workDirectory, remote)) {
        proposed = run(repo, rollBack, context, attempt);
      } catch (GitAPIException | IOException | RuntimeException e) {
        return failure(context.idempotencyKey(), "the rollback of " + rollBack.service() + " in " + remote.uri(), e);
      }
    }
    if (attempt.reverts != null) {  // the inverse: never waits for a human merge or the sync (see revert)
      return syncStatus == null || !proposed.succeeded() || attempt.pr == null || attempt.commit == null
          || attempt.target == null ? proposed : new Completion(this, context, attempt, proposed.message()).revert();
    }
    if (syncStatus == null || !proposed.succeeded() || attempt.commit == null || attempt.target == null) {
      return proposed;
    }
    return new Completion(this, context, attempt, proposed.message()).await();
  }

  /** What one execution found or made, for the wait after it (filled in under the lock, read after it). */
  static final class Attempt {
    @Nullable ImageRollback target;
    @Nullable String branch;
    @Nullable RevCommit commit;
    GitHost.@Nullable PullRequest pr;
    /** The agent's own rollback commit this execution reverts (the inverse), or null for a rollback. */
    @Nullable String reverts;
  }

  private ActionResult run(ConfigRepository repo, Action.RollBack rollBack, ExecutionContext context, Attempt attempt)
      throws GitAPIException, IOException {
    String key = context.idempotencyKey();
    Optional<ImageRollback> resolved = images.resolve(rollBack);
    if (resolved.isEmpty()) {
      return result(key, ActionResult.Status.REJECTED, "the rollout history gives no single image change for "
          + rollBack.canonical() + " (the images of revision " + rollBack.fromRevision() + " and revision "
          + rollBack.toRevision() + " must differ in exactly one image of the same repository); nothing pushed");
    }
    ImageRollback target = resolved.get();
    attempt.target = target;
    repo.fetch(baseBranch, branchPrefix);
    Optional<RevCommit> headOrEmpty = repo.head(baseBranch);
    if (headOrEmpty.isEmpty()) {
      return result(key, ActionResult.Status.REJECTED, "the remote " + remote.uri() + " has no branch " + baseBranch
          + ": set the branch the cluster syncs from (setBaseBranch)");
    }
    RevCommit head = headOrEmpty.get();
    Optional<Recorded> existing = recorded(repo, head, key);
    if (existing.isPresent()) {
      Recorded r = existing.get();
      String already = "already pushed under key " + key + ": " + r.where() + "; nothing pushed again";
      if (context.dryRun()) {
        return result(key, ActionResult.Status.DRY_RUN, already);
      }
      attempt.commit = r.commit();
      attempt.branch = r.branch();
      attempt.reverts = RollbackCommits.trailer(r.commit(), RollbackCommits.REVERTS).orElse(null);
      return r.branch() == null || host == null ? result(key, ActionResult.Status.SUCCEEDED, already)
          : pullRequest(key, r.branch(), r.commit(), already, attempt);  // a crash between push and PR resumes here
    }
    Optional<String> stale = staleToken(repo, rollBack.target(), context.fencingToken());
    if (stale.isPresent()) {
      return result(key, ActionResult.Status.REJECTED, stale.get());
    }
    Optional<RevCommit> own = ownRollback(repo, head, context.incidentId(), rollBack);
    if (own.isPresent()) {
      return revert(repo, rollBack, context, target, head, own.get(), attempt);
    }
    Optional<String> unmerged = unmergedOwnRollback(repo, context.incidentId(), rollBack);
    if (unmerged.isPresent()) {
      return result(key, ActionResult.Status.REJECTED, unmerged.get());
    }
    ChangeLocator.Outcome outcome = new ChangeLocator(repo, baseBranch, searchPaths, deployments).locate(head, target);
    if (outcome.located() == null) {
      return result(key, Objects.requireNonNull(outcome.status()), Objects.requireNonNull(outcome.reason()));
    }
    ChangeLocator.Located located = outcome.located();
    Declaration declaration = located.bad();
    ImageEdit.Result edit = ImageEdit.restore(located.headText(), declaration, located.healthyText(),
        located.healthy(), target, ImageRef.parse(target.healthyImage()));
    if (edit.text() == null) {
      return result(key, ActionResult.Status.REJECTED, Objects.requireNonNull(edit.refusal()) + "; nothing pushed");
    }
    String branch = RollbackCommits.branch(branchPrefix, context.incidentId(), key);
    String what = "restore " + target.healthyImage() + " for " + target.describe() + " in " + declaration.path()
        + " (" + declaration.form() + ", " + edit.changes().stream().map(ImageEdit.Change::describe).toList()
        + ") as at commit " + located.healthyCommit().abbreviate(10).name()
        + (located.changedBy() == null ? "" : ", undoing " + located.changedBy().abbreviate(10).name());
    if (context.dryRun()) {
      return result(key, ActionResult.Status.DRY_RUN, "would push branch " + branch + " to " + remote.uri()
          + " to " + what + "; nothing committed or pushed");
    }
    String message = message(rollBack, context, target, located, edit);
    PersonIdent ident = new PersonIdent(author.name(), author.email(), clock.now(), ZoneOffset.UTC);
    ObjectId commit = repo.commit(head, declaration.path(), edit.text(), ident, message);
    return push(repo, key, commit, branch, what, context, attempt);
  }

  /** Pushes {@code commit} as the new branch {@code branch}, then (with a host) makes sure its pull request exists. */
  private ActionResult push(ConfigRepository repo, String key, ObjectId commit, String branch, String what,
      ExecutionContext context, Attempt attempt) throws GitAPIException, IOException {
    RemoteRefUpdate push = repo.pushNewBranch(commit, branch);
    return switch (push.getStatus()) {
      case OK -> {
        LOG.info("pushed {} ({}) to {} for incident {}", branch, commit.name(), remote.uri(), context.incidentId());
        String pushed = "pushed branch " + branch + " (commit " + commit.name() + ") to " + remote.uri() + ": " + what;
        attempt.commit = repo.parse(commit);
        attempt.branch = branch;
        yield host == null ? result(key, ActionResult.Status.SUCCEEDED, pushed)
            : pullRequest(key, branch, attempt.commit, pushed, attempt);
      }
      case REJECTED_REMOTE_CHANGED, REJECTED_NONFASTFORWARD -> raced(repo, key, branch, attempt);
      default -> result(key, ActionResult.Status.REJECTED, "the remote " + remote.uri() + " refused branch " + branch
          + " (" + push.getStatus() + (push.getMessage() == null ? "" : ": " + push.getMessage()) + "): check that"
          + " the credentials may push new branches and that no rule protects " + branchPrefix + "*; nothing pushed");
    };
  }

  /** How far down the base branch the agent's own commits are looked for. */
  private int searchDepth() {
    return remote.depth() > 0 ? remote.depth() : DEFAULT_CLONE_DEPTH;
  }

  /**
   * The agent's own rollback commit for {@code incidentId} on the base branch that {@code inverse} undoes: a commit
   * (not a revert) whose trailers name the incident and the action {@code RollBack(service, to, from)}.
   */
  private Optional<RevCommit> ownRollback(ConfigRepository repo, RevCommit head, String incidentId,
      Action.RollBack inverse) throws IOException {
    for (RevCommit c : repo.recent(head, searchDepth())) {
      if (c.getParentCount() == 1 && undoneBy(c, incidentId, inverse)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static boolean undoneBy(RevCommit c, String incidentId, Action.RollBack inverse) {
    String undone = new Action.RollBack(inverse.service(), inverse.toRevision(), inverse.fromRevision()).canonical();
    return RollbackCommits.trailer(c, RollbackCommits.INCIDENT).filter(RollbackCommits.oneLine(incidentId)::equals)
        .isPresent()
        && RollbackCommits.trailer(c, RollbackCommits.ACTION).filter(undone::equals).isPresent()
        && RollbackCommits.trailer(c, RollbackCommits.REVERTS).isEmpty();
  }

  /** Why there is nothing to revert: the agent's own rollback {@code inverse} undoes is on a branch, not merged. */
  private Optional<String> unmergedOwnRollback(ConfigRepository repo, String incidentId, Action.RollBack inverse)
      throws IOException {
    for (Map.Entry<String, RevCommit> b : repo.branches(branchPrefix).entrySet()) {
      if (undoneBy(b.getValue(), incidentId, inverse)) {
        return Optional.of("nothing to revert on branch " + baseBranch + ": the agent's rollback commit "
            + b.getValue().name() + " for incident " + incidentId + " is on branch " + b.getKey() + " but not merged;"
            + " close its pull request instead of merging it; nothing pushed");
      }
    }
    return Optional.empty();
  }

  /**
   * The inverse of the agent's own rollback {@code own} (merged into the base branch): a revert commit restoring
   * exactly what {@code own} replaced in the declaration the base branch's head holds now (only those image lines),
   * pushed as its own branch with the idempotency key, and its pull request. It does not wait for a merge: the agent
   * runs inverses on its loop's thread, so in ASSIST the pull request is left open for a human (and the incident is
   * escalated); in AUTONOMOUS with auto-merge, {@link Completion#revert()} merges it once the checks passed but does
   * not wait for the sync.
   */
  private ActionResult revert(ConfigRepository repo, Action.RollBack inverse, ExecutionContext context,
      ImageRollback target, RevCommit head, RevCommit own, Attempt attempt) throws GitAPIException, IOException {
    String key = context.idempotencyKey();
    String ownName = own.abbreviate(10).name();
    ChangeLocator.Outcome outcome = new ChangeLocator(repo, baseBranch, searchPaths).locate(head, target);
    if (outcome.located() == null) {
      return result(key, Objects.requireNonNull(outcome.status()), "cannot revert the agent's rollback commit "
          + own.name() + ": " + outcome.reason());
    }
    Declaration now = outcome.located().bad();
    ImageRef before = ImageRef.parse(target.healthyImage());
    RevCommit parent = repo.parse(own.getParent(0));
    Optional<String> parentText = repo.file(parent, now.path());
    Optional<Declaration> then = parentText.flatMap(t -> YamlDeclarations.rescan(now, t, target, before)
        .declarations().stream().filter(d -> d.locus().equals(now.locus())).findFirst());
    if (parentText.isEmpty() || then.isEmpty()) {
      return result(key, ActionResult.Status.REJECTED, "cannot revert the agent's rollback commit " + own.name()
          + ": before it, " + now.path() + " did not declare " + target.healthyImage() + " at " + now.locus()
          + ", so the declaration holding " + target.badImage() + " now is not the one that commit changed; revert"
          + " by hand; nothing pushed");
    }
    ImageEdit.Result edit = ImageEdit.restore(outcome.located().headText(), now, parentText.get(), then.get(), target,
        before);
    if (edit.text() == null) {
      return result(key, ActionResult.Status.REJECTED, "cannot revert the agent's rollback commit " + own.name()
          + ": " + edit.refusal() + "; nothing pushed");
    }
    String branch = RollbackCommits.revertBranch(branchPrefix, context.incidentId(), key);
    String what = "revert the agent's rollback commit " + ownName + " (the inverse of " + inverse.canonical()
        + "): restore " + target.healthyImage() + " for " + target.describe() + " in " + now.path() + " ("
        + edit.changes().stream().map(ImageEdit.Change::describe).toList() + "), as before that commit";
    if (context.dryRun()) {
      return result(key, ActionResult.Status.DRY_RUN, "would push branch " + branch + " to " + remote.uri() + " to "
          + what + "; nothing committed or pushed");
    }
    String message = revertMessage(inverse, context, target, own, now, edit);
    PersonIdent ident = new PersonIdent(author.name(), author.email(), clock.now(), ZoneOffset.UTC);
    ObjectId commit = repo.commit(head, now.path(), edit.text(), ident, message);
    attempt.reverts = own.name();
    ActionResult pushed = push(repo, key, commit, branch, what, context, attempt);
    return host == null && pushed.succeeded() ? result(key, pushed.status(), pushed.message() + "; no pull request"
        + " opened (no Git host configured): a human opens and merges it") : pushed;
  }

  private String revertMessage(Action.RollBack inverse, ExecutionContext context, ImageRollback target,
      RevCommit own, Declaration declaration, ImageEdit.Result edit) {
    Incident incident = incidents == null ? null : incidents.find(context.incidentId()).orElse(null);
    String planHash = incident == null || incident.plan() == null ? null : incident.plan().hash();
    String ownPr = null;
    if (host != null) {
      Optional<String> ownKey = RollbackCommits.trailer(own, RollbackCommits.KEY);
      try {
        ownPr = ownKey.flatMap(k -> host.findByHead(RollbackCommits.branch(branchPrefix, context.incidentId(), k)))
            .map(GitHost.PullRequest::url).orElse(null);
      } catch (GitHostException e) {
        LOG.debug("could not find the pull request of {}", own.name(), e);
      }
    }
    StringBuilder body = new StringBuilder();
    body.append("Reverts commit ").append(own.name()).append(" (\"").append(own.getShortMessage()).append("\"),")
        .append(" the agent's own rollback for this incident. It was merged and the cluster ran ")
        .append(target.badImage()).append(", but the agent's verification found that ").append(inverse.service())
        .append(" did not recover: the rollback did not help, so the bad deploy was not (only) the cause. This")
        .append(" restores what that commit replaced, the state before the agent's own change (")
        .append(target.healthyImage()).append(" in ").append(declaration.path()).append(", ")
        .append(declaration.locus()).append("), and the incident is escalated to humans.\n\n");
    for (ImageEdit.Change c : edit.changes()) {
      body.append("    ").append(c.describe()).append('\n');
    }
    body.append('\n')
        .append("Incident: ").append(RollbackCommits.oneLine(context.incidentId())).append('\n')
        .append("Reverted commit: ").append(own.name()).append('\n')
        .append("Reverted pull request: ").append(ownPr == null ? "not found" : ownPr).append('\n')
        .append("Plan hash: ").append(planHash == null ? "unknown" : planHash).append('\n')
        .append("Action: ").append(inverse.canonical()).append(" (the inverse of the agent's rollback)\n")
        .append("Fencing token: ").append(context.fencingToken()).append(" (lock ").append(inverse.target())
        .append(")\n");
    String subject = "sre-agent: revert " + own.abbreviate(10).name() + ", the rollback of " + target.workload()
        + " that did not help (incident " + RollbackCommits.oneLine(context.incidentId()) + ")";
    return RollbackCommits.message(subject, body.toString(), context.incidentId(), inverse.canonical(), planHash,
        inverse.target(), context.fencingToken(), own.name(), context.idempotencyKey());
  }

  /** The branch already exists: someone pushed it between our fetch and our push. Ours if it carries the key. */
  private ActionResult raced(ConfigRepository repo, String key, String branch, Attempt attempt)
      throws GitAPIException, IOException {
    repo.fetch(baseBranch, branchPrefix);
    RevCommit there = repo.branches(branchPrefix).get(branch);
    if (there != null && RollbackCommits.carriesKey(there, key)) {
      String already = "already pushed under key " + key + ": branch " + branch + " (commit " + there.name()
          + "), pushed concurrently; nothing pushed again";
      attempt.commit = there;
      attempt.branch = branch;
      return host == null ? result(key, ActionResult.Status.SUCCEEDED, already)
          : pullRequest(key, branch, there, already, attempt);
    }
    return result(key, ActionResult.Status.FAILED, "branch " + branch + " appeared on " + remote.uri() + " with"
        + " another commit (" + (there == null ? "unknown" : there.name()) + ") while this rollback was pushed;"
        + " nothing overwritten: look at it, then plan again");
  }

  /**
   * Where a change under a key is recorded.
   *
   * @param where in words
   * @param branch the agent branch, or null when found merged on the base branch
   * @param commit the commit carrying the key
   */
  private record Recorded(String where, @Nullable String branch, RevCommit commit) {}

  /** Where a change under {@code key} is recorded: an agent branch, or a commit of the base branch (merged). */
  private Optional<Recorded> recorded(ConfigRepository repo, RevCommit head, String key) throws IOException {
    String tag = RollbackCommits.keyTag(key);
    for (Map.Entry<String, RevCommit> b : repo.branches(branchPrefix).entrySet()) {
      if (!b.getKey().endsWith("-" + tag)) {
        continue;
      }
      // the agent's commit is the branch's head, unless someone pushed onto the branch since
      for (RevCommit c : repo.recent(b.getValue(), BRANCH_COMMITS_SEARCHED)) {
        if (RollbackCommits.carriesKey(c, key)) {
          String moved = c.equals(b.getValue()) ? "" : ", whose head is now " + b.getValue().name();
          return Optional.of(new Recorded("branch " + b.getKey() + " (commit " + c.name() + moved + ") on "
              + remote.uri(), b.getKey(), c));
        }
      }
    }
    for (RevCommit c : repo.recent(head, searchDepth())) {
      if (RollbackCommits.carriesKey(c, key)) {
        return Optional.of(new Recorded("commit " + c.name() + " on branch " + baseBranch + " of " + remote.uri()
            + " (merged)", null, c));
      }
    }
    return Optional.empty();
  }

  /**
   * Makes sure one pull request of {@code branch} exists and that its head is the agent's {@code commit}: finds it by
   * head branch, else opens it from the commit's message. Called after the push and again on every re-execution of
   * the key, so a crash between the push and the pull request resumes here and never opens a second one.
   */
  private ActionResult pullRequest(String key, String branch, RevCommit commit, String pushed, Attempt attempt) {
    GitHost h = Objects.requireNonNull(host);
    try {
      Optional<GitHost.PullRequest> found = h.findByHead(branch);
      GitHost.PullRequest pr;
      String how;
      if (found.isPresent()) {
        pr = found.get();
        how = "pull request #" + pr.number() + " (" + pr.url() + ", " + pr.state().name().toLowerCase(Locale.ROOT)
            + ") already exists; none opened again";
      } else {
        String subject = commit.getShortMessage();
        String body = commit.getFullMessage().substring(Math.min(commit.getFullMessage().length(),
            commit.getFullMessage().indexOf('\n') + 1)).strip();
        pr = h.open(new GitHost.PullRequestRequest(subject, body + "\n\nCommit: " + commit.name()
            + "\n\nThe plan is approved by merging this pull request as it is; a change to the branch voids it.",
            branch, baseBranch, labels));
        how = "opened pull request #" + pr.number() + " (" + pr.url() + ")";
        LOG.info("opened {} for {} on {}", pr.url(), branch, h.describe());
      }
      if (!pr.headSha().equals(commit.name())) {
        return result(key, ActionResult.Status.REJECTED, pushed + "; but the head of pull request #" + pr.number()
            + " (" + pr.url() + ") is " + pr.headSha() + ", not the agent's commit " + commit.name() + ": someone"
            + " changed the branch, so the change under review is not the planned one; review or close it by hand");
      }
      attempt.pr = pr;
      return result(key, ActionResult.Status.SUCCEEDED, pushed + "; " + how);
    } catch (GitHostException e) {
      if (e.forbidden()) {
        return result(key, ActionResult.Status.REJECTED, pushed + "; but " + h.describe() + " refused the pull"
            + " request with HTTP " + e.status() + ": " + e.getMessage());
      }
      ActionResult.Status status = e.status() == 0 ? ActionResult.Status.TIMED_OUT : ActionResult.Status.FAILED;
      return result(key, status, pushed + "; but the pull request is not open yet (" + e.getMessage() + "): executing"
          + " the same key again resumes at the pull request, on the branch already pushed");
    }
  }

  /** Why {@code token} is stale for lock {@code target}: an agent branch records a higher one. */
  private Optional<String> staleToken(ConfigRepository repo, String target, long token) throws IOException {
    for (Map.Entry<String, RevCommit> b : repo.branches(branchPrefix).entrySet()) {
      OptionalLong recorded = RollbackCommits.fencingToken(b.getValue(), target);
      if (recorded.isPresent() && recorded.getAsLong() > token) {
        return Optional.of("fencing token " + token + " is lower than " + recorded.getAsLong() + " recorded on branch "
            + b.getKey() + " for lock " + target + ": another holder of the lock pushed since; nothing pushed");
      }
    }
    return Optional.empty();
  }

  private String message(Action.RollBack rollBack, ExecutionContext context, ImageRollback target,
      ChangeLocator.Located located, ImageEdit.Result edit) {
    Incident incident = incidents == null ? null : incidents.find(context.incidentId()).orElse(null);
    Diagnosis diagnosis = incident == null ? null : incident.diagnosis();
    String planHash = incident == null || incident.plan() == null ? null : incident.plan().hash();
    String diagnosisLine = diagnosis == null
        ? (incidents == null ? "not recorded (no incident store configured)" : "not recorded for this incident")
        : RollbackCommits.oneLine(diagnosis.top().cause()) + String.format(Locale.ROOT, " (confidence %.2f, %s)",
            diagnosis.confidence().score(), diagnosis.reasoner());
    StringBuilder body = new StringBuilder();
    body.append("Restores the image of ").append(target.describe()).append(" in ").append(located.bad().path())
        .append(" (").append(located.bad().form()).append(", ").append(located.bad().locus()).append(") to its value at")
        .append(" commit ").append(located.healthyCommit().name()).append(", the last commit at which the workload")
        .append(" was healthy");
    if (located.healthySource() != null) {
      body.append(" (").append(located.healthySource()).append(')');
    }
    if (located.changedBy() != null) {
      body.append("; undoes the change of commit ").append(located.changedBy().name());
    }
    body.append(".\n\n");
    for (ImageEdit.Change c : edit.changes()) {
      body.append("    ").append(c.describe()).append('\n');
    }
    body.append('\n')
        .append("Incident: ").append(RollbackCommits.oneLine(context.incidentId())).append('\n')
        .append("Diagnosis: ").append(diagnosisLine).append('\n')
        .append("Plan hash: ").append(planHash == null ? "unknown" : planHash).append('\n')
        .append("Action: ").append(rollBack.canonical()).append('\n')
        .append("Fencing token: ").append(context.fencingToken()).append(" (lock ").append(rollBack.target())
        .append(")\n");
    String subject = "sre-agent: roll back " + target.workload() + " to " + target.healthyImage() + " (incident "
        + RollbackCommits.oneLine(context.incidentId()) + ")";
    return RollbackCommits.message(subject, body.toString(), context.incidentId(), rollBack.canonical(), planHash,
        rollBack.target(), context.fencingToken(), null, context.idempotencyKey());
  }

  /**
   * After a crash or a timeout: SUCCEEDED when an agent branch (or a commit of the base branch) carries
   * {@code idempotencyKey} (and, with a host, its pull request's head is the agent's commit); empty when none does;
   * TIMED_OUT when the remote could not be asked (the outcome is still unknown: ask again before any retry). With a
   * {@link SyncStatus} a recorded key is FAILED ("half done"): the agent executes it again, which pushes nothing again
   * and resumes waiting for the merge and the sync.
   */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    synchronized (lock) {
      try (ConfigRepository repo = ConfigRepository.open(workDirectory, remote)) {
        repo.fetch(baseBranch, branchPrefix);
        Optional<RevCommit> head = repo.head(baseBranch);
        Optional<Recorded> where = head.isEmpty() ? Optional.empty() : recorded(repo, head.get(), idempotencyKey);
        if (where.isEmpty()) {
          return Optional.empty();
        }
        Recorded r = where.get();
        String took = "took effect: key " + idempotencyKey + " is recorded on " + r.where();
        boolean isRevert = RollbackCommits.trailer(r.commit(), RollbackCommits.REVERTS).isPresent();
        if (syncStatus != null && !isRevert) {  // a revert never waits: its result is the pull request
          // done only once merged and synced, which the action's workload tells (execute knows it, reconcile not)
          return Optional.of(result(idempotencyKey, ActionResult.Status.FAILED, "half done: key " + idempotencyKey
              + " is recorded on " + r.where() + "; whether it is merged and the cluster runs the healthy image is"
              + " checked by executing the key again, which pushes nothing again and resumes the wait"));
        }
        if (host == null || r.branch() == null) {
          return Optional.of(result(idempotencyKey, ActionResult.Status.SUCCEEDED, took));
        }
        Optional<GitHost.PullRequest> pr = host.findByHead(r.branch());
        return Optional.of(pr.map(p -> p.headSha().equals(r.commit().name())
            ? result(idempotencyKey, ActionResult.Status.SUCCEEDED, took + ", pull request #" + p.number() + " ("
                + p.url() + ")")
            : result(idempotencyKey, ActionResult.Status.REJECTED, took + ", but the head of pull request #"
                + p.number() + " (" + p.url() + ") is " + p.headSha() + ", not the agent's commit: review it by hand"))
            .orElseGet(() -> result(idempotencyKey, ActionResult.Status.FAILED,
            "half done: key " + idempotencyKey + " is recorded on " + r.where() + " but no pull request of it is open"
            + " on " + host.describe() + ": executing the key again opens it (and pushes nothing again)")));
      } catch (GitAPIException | IOException | RuntimeException e) {  // GitHostException included
        return Optional.of(result(idempotencyKey, ActionResult.Status.TIMED_OUT, "could not read " + remote.uri()
            + " to reconcile key " + idempotencyKey + " (" + e.getMessage() + "): whether the rollback was pushed is"
            + " unknown; reconcile again before retrying"));
      }
    }
  }

  private ActionResult failure(String key, String what, Exception e) {
    String detail = e.getMessage() == null ? e.toString() : e.getMessage();
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootDetail = root == e || root.getMessage() == null ? "" : " (" + root.getMessage() + ")";
    String lower = (detail + rootDetail).toLowerCase(Locale.ROOT);
    // JGit's words for HTTP 401 ("not authorized", "authentication not supported") and 403 ("... not permitted")
    if (lower.contains("not authorized") || lower.contains("authentication") || lower.contains("not permitted")
        || lower.contains("403") || lower.contains("401") || lower.contains("permission denied")) {
      return result(key, ActionResult.Status.REJECTED, what + " was refused by the remote: " + detail + rootDetail
          + "; the credentials lack the rights to read or push (give the token in the configured environment variable"
          + " read and push rights on the repository); nothing pushed");
    }
    if (e instanceof InvalidRemoteException || root instanceof NoRemoteRepositoryException) {
      return result(key, ActionResult.Status.REJECTED, what + " failed: there is no repository at " + remote.uri()
          + " (" + detail + "); fix the remote URL (setRemote); nothing pushed");
    }
    boolean timedOut = lower.contains("timed out") || lower.contains("timeout")
        || root instanceof java.io.InterruptedIOException;
    if (timedOut) {
      return result(key, ActionResult.Status.TIMED_OUT, what + " timed out (" + detail + "): whether the branch was"
          + " pushed is unknown; reconcile before retrying");
    }
    String kind = e instanceof TransportException ? "the connection to the remote failed" : "failed";
    LOG.debug("{} failed", what, e);
    return result(key, ActionResult.Status.FAILED, what + " " + kind + ": " + detail + rootDetail);
  }

  private ActionResult result(String key, ActionResult.Status status, String message) {
    return new ActionResult(key, status, message, clock.now());
  }

  /** Builds a {@link GitRollbackExecutor}; setters validate at once, {@link #build()} may be called again. */
  public static final class Builder {
    private @Nullable String remote;
    private String baseBranch = DEFAULT_BASE_BRANCH;
    private String branchPrefix = DEFAULT_BRANCH_PREFIX;
    private List<String> searchPaths = List.of();
    private @Nullable Path workDirectory;
    private CommitAuthor author = CommitAuthor.DEFAULT;
    private @Nullable RollbackImages images;
    private @Nullable IncidentStore incidents;
    private Clock clock = Clock.system();
    private int cloneDepth = DEFAULT_CLONE_DEPTH;
    private int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    private @Nullable String tokenVariable;
    private String tokenUser = DEFAULT_TOKEN_USER;
    private Function<String, @Nullable String> environment = System::getenv;
    private @Nullable GitHost host;
    private List<String> labels = List.of("sre-agent", "rollback");
    private @Nullable SyncStatus syncStatus;
    private @Nullable DeployedRevisions deployments;
    private boolean autoMerge;
    private PhaseLookup phases = PhaseLookup.unknown();
    private Duration mergeTimeout = DEFAULT_MERGE_TIMEOUT;
    private Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;

    private Builder() {}

    /**
     * What the cluster has applied (default none). With it (and a {@link #setGitHost host}), an execution does not
     * end when the pull request is open: it waits for the merge (by a human, or by the agent under
     * {@link #setAutoMerge}) up to {@link #setMergeTimeout}, then until the cluster runs the healthy image up to
     * {@link #setSyncTimeout}, and only then answers SUCCEEDED, so the agent's verification window watches the healthy
     * image. Without it SUCCEEDED means the pull request is open (or, without a host, the branch pushed).
     */
    public Builder setSyncStatus(SyncStatus syncStatus) {
      this.syncStatus = Objects.requireNonNull(syncStatus, "syncStatus");
      return this;
    }

    /**
     * Where the GitOps tool's deployments are read (default none: the healthy commit is the newest commit of the
     * declaring file's history that held the healthy image). With it, for example an {@link ArgoCdSyncStatus}, the
     * healthy commit is the newest <em>deployed</em> revision at which the declaration held the healthy image; a kept
     * history with no such revision is a refusal; an empty one falls back to the file's history. The commit message
     * names the deployment used.
     */
    public Builder setDeployedRevisions(DeployedRevisions deployments) {
      this.deployments = Objects.requireNonNull(deployments, "deployments");
      return this;
    }

    /**
     * Whether the agent may merge its own pull request (default false: a human always merges). When true, it merges
     * only while the phase in force for the incident ({@link #setPhases}) is AUTONOMOUS, and only once the host
     * reports the head commit's checks passed (failed checks are a refusal); in ASSIST (and when the phase is unknown)
     * it waits for a human's merge, which is the approval of the change. Needs {@link #setSyncStatus} and a host.
     */
    public Builder setAutoMerge(boolean autoMerge) {
      this.autoMerge = autoMerge;
      return this;
    }

    /** The phase in force per incident (default {@link PhaseLookup#unknown()}: the agent never merges). */
    public Builder setPhases(PhaseLookup phases) {
      this.phases = Objects.requireNonNull(phases, "phases");
      return this;
    }

    /** How long the pull request may wait for its merge (default 1 h; clock time). */
    public Builder setMergeTimeout(Duration mergeTimeout) {
      this.mergeTimeout = Require.positive(mergeTimeout, "mergeTimeout");
      return this;
    }

    /** How long after the merge the cluster may take to run the healthy image (default 10 min; clock time). */
    public Builder setSyncTimeout(Duration syncTimeout) {
      this.syncTimeout = Require.positive(syncTimeout, "syncTimeout");
      return this;
    }

    /** How often the pull request and the sync status are read while waiting (default 15 s; clock time). */
    public Builder setPollInterval(Duration pollInterval) {
      this.pollInterval = Require.positive(pollInterval, "pollInterval");
      return this;
    }

    /**
     * The Git host on which a pull request of each pushed branch is opened (default none: the branch alone is the
     * result, and a human opens the pull request).
     */
    public Builder setGitHost(GitHost host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Labels of the pull requests (default {@code sre-agent}, {@code rollback}). */
    public Builder setLabels(List<String> labels) {
      Objects.requireNonNull(labels, "labels").forEach(l -> Require.notBlank(l, "labels"));
      this.labels = List.copyOf(labels);
      return this;
    }

    /**
     * The config repository's URL (required): {@code https://host/org/repo.git}, {@code ssh://...} or
     * {@code file:///path/to/bare.git}.
     */
    public Builder setRemote(String remote) {
      Require.notBlank(remote, "remote");
      try {
        new org.eclipse.jgit.transport.URIish(remote);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("remote must be a git URL such as https://github.com/org/config.git or"
            + " file:///srv/config.git, but was '" + remote + "'", e);
      }
      this.remote = remote;
      return this;
    }

    /** The config repository given as a local path (a bare repository on disk), as a {@code file://} URL. */
    public Builder setRemote(Path bareRepository) {
      return setRemote(URI.create(bareRepository.toAbsolutePath().toUri().toString()).toString());
    }

    /** The branch the cluster syncs from (default {@value GitRollbackExecutor#DEFAULT_BASE_BRANCH}). */
    public Builder setBaseBranch(String baseBranch) {
      this.baseBranch = refName(baseBranch, "baseBranch");
      return this;
    }

    /** The prefix of the agent's branches (default {@value GitRollbackExecutor#DEFAULT_BRANCH_PREFIX}). */
    public Builder setBranchPrefix(String branchPrefix) {
      refName(branchPrefix, "branchPrefix");
      if (!branchPrefix.endsWith("/") && !branchPrefix.endsWith("-")) {
        throw new IllegalArgumentException("branchPrefix must end with / or -, but was '" + branchPrefix + "'");
      }
      this.branchPrefix = branchPrefix;
      return this;
    }

    /**
     * Where to look for the declaration: directories or files relative to the repository root, for example the
     * overlay of this cluster ({@code overlays/prod}); default the whole repository.
     */
    public Builder setSearchPaths(List<String> searchPaths) {
      Objects.requireNonNull(searchPaths, "searchPaths");
      for (String p : searchPaths) {
        Require.notBlank(p, "searchPaths");
        if (p.startsWith("/") || p.contains("..") || p.endsWith("/")) {
          throw new IllegalArgumentException("searchPaths must be relative paths without .. or a trailing /, such as"
              + " overlays/prod, but was '" + p + "'");
        }
      }
      this.searchPaths = List.copyOf(searchPaths);
      return this;
    }

    /**
     * The directory of the agent's clone (required; created when absent). One executor per directory: the executor
     * serialises its own executions, but two processes must not share one.
     */
    public Builder setWorkDirectory(Path workDirectory) {
      this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
      return this;
    }

    /** The author and committer of the agent's commits (default {@link CommitAuthor#DEFAULT}). */
    public Builder setAuthor(CommitAuthor author) {
      this.author = Objects.requireNonNull(author, "author");
      return this;
    }

    /** What a rollback's revisions mean in images (required). */
    public Builder setImages(RollbackImages images) {
      this.images = Objects.requireNonNull(images, "images");
      return this;
    }

    /** Where the incident's diagnosis and plan are read for the commit message (default none: "not recorded"). */
    public Builder setIncidents(IncidentStore incidents) {
      this.incidents = Objects.requireNonNull(incidents, "incidents");
      return this;
    }

    /** The clock stamping results and commits (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Commits fetched from the base branch's head (default {@value GitRollbackExecutor#DEFAULT_CLONE_DEPTH}; 0 for the
     * whole history). The whole history is fetched once when the healthy commit lies deeper.
     */
    public Builder setCloneDepth(int cloneDepth) {
      this.cloneDepth = Require.atLeast(cloneDepth, 0, "cloneDepth");
      return this;
    }

    /** Network timeout of a fetch or push (default {@value GitRollbackExecutor#DEFAULT_TIMEOUT_SECONDS}). */
    public Builder setTimeoutSeconds(int timeoutSeconds) {
      this.timeoutSeconds = Require.positive(timeoutSeconds, "timeoutSeconds");
      return this;
    }

    /**
     * The environment variable holding the access token for an HTTPS remote (read at {@link #build()}; the token
     * itself is never configured, logged or written). Default none: no credentials (a {@code file://} or SSH remote).
     */
    public Builder setTokenVariable(String tokenVariable) {
      this.tokenVariable = Require.notBlank(tokenVariable, "tokenVariable");
      return this;
    }

    /** The user name sent with the token (default {@value GitRollbackExecutor#DEFAULT_TOKEN_USER}). */
    public Builder setTokenUser(String tokenUser) {
      this.tokenUser = Require.notBlank(tokenUser, "tokenUser");
      return this;
    }

    /**
     * Where the token variable is looked up (default {@link System#getenv(String)}): a secret store's lookup, or a
     * test's map. The token is still read once, at {@code build()}.
     */
    public Builder setEnvironment(Function<String, @Nullable String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * The executor.
     *
     * @throws IllegalStateException when a required setting is missing, or the token variable is named but unset
     */
    public GitRollbackExecutor build() {
      StringBuilder missing = new StringBuilder();
      if (remote == null) {
        missing.append(" setRemote(url)");
      }
      if (workDirectory == null) {
        missing.append(" setWorkDirectory(path)");
      }
      if (images == null) {
        missing.append(" setImages(RollbackImages)");
      }
      if (missing.length() > 0) {
        throw new IllegalStateException("GitRollbackExecutor needs" + missing);
      }
      if (syncStatus != null && host == null) {
        throw new IllegalStateException("setSyncStatus needs setGitHost: the executor waits for the merge of its pull"
            + " request before it waits for the sync");
      }
      if (autoMerge && syncStatus == null) {
        throw new IllegalStateException("setAutoMerge(true) needs setSyncStatus (and setGitHost): a merge the agent"
            + " makes must be followed to the cluster before the action counts as done");
      }
      UsernamePasswordCredentialsProvider credentials = null;
      if (tokenVariable != null) {
        String token = environment.apply(tokenVariable);
        if (token == null || token.isBlank()) {
          throw new IllegalStateException("environment variable " + tokenVariable + " (setTokenVariable) is not set:"
              + " export the access token for " + remote + " in it");
        }
        credentials = new UsernamePasswordCredentialsProvider(tokenUser, token);
      }
      return new GitRollbackExecutor(this, new ConfigRepository.GitRemote(Objects.requireNonNull(remote),
          credentials, cloneDepth, timeoutSeconds));
    }

    private static String refName(String name, String field) {
      Require.notBlank(name, field);
      if (!org.eclipse.jgit.lib.Repository.isValidRefName("refs/heads/" + name + (name.endsWith("/") ? "x" : ""))) {
        throw new IllegalArgumentException(field + " must be a valid git branch name, but was '" + name + "'");
      }
      return name;
    }
  }
}
