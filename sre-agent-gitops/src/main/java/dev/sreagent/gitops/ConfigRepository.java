package dev.sreagent.gitops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.jspecify.annotations.Nullable;

/**
 * The agent's own bare clone of the config repository: fetched (shallow) from the remote, read from objects (no
 * working tree, so no checkout and no hooks), and written by building commits from objects and pushing them through the
 * transport with "the branch must not exist yet" as the condition. Remote branches land under
 * {@code refs/remotes/origin/}.
 */
final class ConfigRepository implements AutoCloseable {
  static final String TRACKING = "refs/remotes/origin/";

  private final Repository repo;
  private final Git git;
  private final GitRemote remote;

  private ConfigRepository(Repository repo, GitRemote remote) {
    this.repo = repo;
    this.git = Git.wrap(repo);
    this.remote = remote;
  }

  /** Opens the bare clone in {@code dir}, creating it when absent (or unreadable, as a crash may leave it). */
  static ConfigRepository open(Path dir, GitRemote remote) throws IOException, GitAPIException {
    JGitIsolation.ensure();
    if (Files.isDirectory(dir.resolve("objects"))) {
      try {
        Repository r = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
        return new ConfigRepository(r, remote);
      } catch (IOException | RuntimeException e) {
        deleteTree(dir);
      }
    }
    Files.createDirectories(dir.getParent());
    Git created = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch("sre-agent-work").call();
    return new ConfigRepository(created.getRepository(), remote);
  }

  /** Fetches the base branch and the agent's branches ({@code branchPrefix*}), removing branches gone remotely. */
  void fetch(String baseBranch, String branchPrefix) throws GitAPIException, IOException {
    var fetch = git.fetch().setRemote(remote.uri()).setRemoveDeletedRefs(true)
        .setRefSpecs(new RefSpec("+refs/heads/" + baseBranch + ":" + TRACKING + baseBranch),
            new RefSpec("+refs/heads/" + branchPrefix + "*:" + TRACKING + branchPrefix + "*"))
        .setTimeout(remote.timeoutSeconds()).setProgressMonitor(NullProgressMonitor.INSTANCE);
    if (remote.credentials() != null) {
      fetch.setCredentialsProvider(remote.credentials());
    }
    if (remote.depth() > 0 && (isShallow() || head(baseBranch).isEmpty())) {  // a full clone stays full
      fetch.setDepth(remote.depth());
    }
    fetch.call();
  }

  /** Fetches the whole history of the base branch (after a shallow fetch did not reach far enough). */
  void unshallow(String baseBranch) throws GitAPIException {
    var fetch = git.fetch().setRemote(remote.uri()).setUnshallow(true)
        .setRefSpecs(new RefSpec("+refs/heads/" + baseBranch + ":" + TRACKING + baseBranch))
        .setTimeout(remote.timeoutSeconds()).setProgressMonitor(NullProgressMonitor.INSTANCE);
    if (remote.credentials() != null) {
      fetch.setCredentialsProvider(remote.credentials());
    }
    fetch.call();
  }

  /** Whether the clone's history is cut off (a shallow fetch). */
  boolean isShallow() throws IOException {
    return !repo.getObjectDatabase().getShallowCommits().isEmpty();
  }

  /** The fetched head of {@code branch}, or empty when the remote has no such branch. */
  Optional<RevCommit> head(String branch) throws IOException {
    Ref ref = repo.exactRef(TRACKING + branch);
    if (ref == null) {
      return Optional.empty();
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return Optional.of(walk.parseCommit(ref.getObjectId()));
    }
  }

  /** The fetched branches under {@code prefix} (names without {@code refs/heads/}) and their heads. */
  Map<String, RevCommit> branches(String prefix) throws IOException {
    Map<String, RevCommit> out = new LinkedHashMap<>();
    try (RevWalk walk = new RevWalk(repo)) {
      for (Ref ref : repo.getRefDatabase().getRefsByPrefix(TRACKING + prefix)) {
        out.put(ref.getName().substring(TRACKING.length()), walk.parseCommit(ref.getObjectId()));
      }
    }
    return out;
  }

  /** The text of every file under {@code paths} (all when empty) at {@code commit} that {@code accept} takes. */
  Map<String, String> files(RevCommit commit, List<String> paths, java.util.function.Predicate<String> accept,
      List<String> unreadable) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (TreeWalk walk = new TreeWalk(repo)) {
      walk.addTree(commit.getTree());
      walk.setRecursive(true);
      if (!paths.isEmpty()) {
        walk.setFilter(PathFilterGroup.createFromStrings(paths));
      }
      while (walk.next()) {
        String path = walk.getPathString();
        if (accept.test(path)) {
          Optional<String> text = utf8(walk.getObjectId(0));
          if (text.isPresent()) {
            out.put(path, text.get());
          } else {
            unreadable.add(path + " (not UTF-8)");
          }
        }
      }
    }
    return out;
  }

  /** The text of {@code path} at {@code commit}, or empty when the file is absent there (or not UTF-8). */
  Optional<String> file(RevCommit commit, String path) throws IOException {
    try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
      return walk == null ? Optional.empty() : utf8(walk.getObjectId(0));
    }
  }

  private Optional<String> utf8(ObjectId blob) throws IOException {
    byte[] bytes = repo.open(blob, Constants.OBJ_BLOB).getCachedBytes(16 * 1024 * 1024);
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** The commits reachable from {@code from} that changed {@code path}, newest first (within the fetched history). */
  List<RevCommit> history(RevCommit from, String path) throws IOException {
    List<RevCommit> out = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(path), TreeFilter.ANY_DIFF));
      walk.markStart(walk.parseCommit(from));
      for (RevCommit c : walk) {
        out.add(c);
      }
    }
    return out;
  }

  /** The first {@code limit} commits reachable from {@code from}, newest first, messages parsed. */
  List<RevCommit> recent(RevCommit from, int limit) throws IOException {
    List<RevCommit> out = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setRevFilter(RevFilter.ALL);
      walk.markStart(walk.parseCommit(from));
      for (RevCommit c : walk) {
        if (out.size() >= limit) {
          break;
        }
        out.add(c);
      }
    }
    return out;
  }

  /** A commit on {@code parent} whose only change is {@code path} now holding {@code text}; no ref is moved. */
  ObjectId commit(RevCommit parent, String path, String text, PersonIdent ident, String message) throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8));
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
      builder.finish();
      DirCacheEditor editor = index.editor();
      editor.add(new DirCacheEditor.PathEdit(path) {
        @Override
        public void apply(DirCacheEntry entry) {
          entry.setObjectId(blob);  // the file's mode stays as it was
        }
      });
      editor.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(ins));
      commit.setParentId(parent);
      commit.setAuthor(ident);
      commit.setCommitter(ident);
      commit.setMessage(message);
      ObjectId id = ins.insert(commit);
      ins.flush();
      return id;
    }
  }

  /**
   * Whether commit {@code sha} is {@code tip} or one of its ancestors, within the fetched history (false when either
   * is not here, or {@code tip} is not a valid sha).
   */
  boolean contains(String tip, String sha) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      ObjectId t = ObjectId.fromString(tip);
      ObjectId c = ObjectId.fromString(sha);
      if (!repo.getObjectDatabase().has(t) || !repo.getObjectDatabase().has(c)) {
        return false;
      }
      return walk.isMergedInto(walk.parseCommit(c), walk.parseCommit(t));
    } catch (IllegalArgumentException e) {  // not a sha (InvalidObjectIdException)
      return false;
    }
  }

  /** The commit {@code sha} when it is here (fetched) and a commit; empty otherwise, also for a malformed sha. */
  Optional<RevCommit> find(String sha) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      ObjectId id = ObjectId.fromString(sha);
      return repo.getObjectDatabase().has(id) ? Optional.of(walk.parseCommit(id)) : Optional.empty();
    } catch (IllegalArgumentException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      return Optional.empty();
    }
  }

  /** The commit {@code id}, parsed. */
  RevCommit parse(ObjectId id) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(id);
    }
  }

  /**
   * Pushes {@code commit} as the new branch {@code branch}: the remote accepts it only if the branch does not exist
   * yet, so two agents (or a redelivery) never overwrite each other's branch.
   */
  RemoteRefUpdate pushNewBranch(ObjectId commit, String branch) throws IOException {
    String local = "refs/heads/" + branch;
    RefUpdate update = repo.updateRef(local);
    update.setNewObjectId(commit);
    update.setForceUpdate(true);
    update.update();
    try (Transport transport = Transport.open(repo, new URIish(remote.uri()))) {
      transport.setTimeout(remote.timeoutSeconds());
      if (remote.credentials() != null) {
        transport.setCredentialsProvider(remote.credentials());
      }
      RemoteRefUpdate push = new RemoteRefUpdate(repo, local, "refs/heads/" + branch, false, null, ObjectId.zeroId());
      transport.push(NullProgressMonitor.INSTANCE, List.of(push));
      return push;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("remote must be a git URL, but was " + remote.uri(), e);
    }
  }

  @Override
  public void close() {
    repo.close();
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * How to reach the remote.
   *
   * @param uri the remote's URL ({@code https://...}, {@code ssh://...}, {@code file:///...})
   * @param credentials credentials for it, or null
   * @param depth commits fetched from the base branch's head (0: the whole history)
   * @param timeoutSeconds network timeout of a fetch or push
   */
  record GitRemote(String uri, @Nullable CredentialsProvider credentials, int depth, int timeoutSeconds) {}
}
