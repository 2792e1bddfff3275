package dev.sreagent.testkit.gitops;

import dev.sreagent.gitops.JGitIsolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * <b>An emulator of a Git server</b> (test support): a bare repository on disk that the executor reaches as its remote
 * through a {@code file://} URL (JGit's in-process transport; no {@code git} program, no network). Commits are written
 * straight into it from objects (no working tree), with a fixed author and times one minute apart, so a test builds the
 * config repository's history (a healthy deploy, unrelated changes, the bad deploy) and then reads what the agent
 * pushed.
 *
 * <p>What it emulates: a server's refs and objects, receiving fetches and pushes of new branches as any Git server
 * does (JGit's own receive side). What it does not: authentication (anyone may push), branch protection rules, hooks,
 * HTTP or SSH transports (see {@link GitHostEmulator} for an HTTP host that refuses pushes), and the pull requests of a
 * host (also {@link GitHostEmulator}). Thread-safe as far as JGit's repository is.
 */
public final class BareRemote implements AutoCloseable {
  /** The author and committer of every commit written here. */
  public static final PersonIdent DEVELOPER = new PersonIdent("Dev Eloper", "dev@example.com",
      Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final Path dir;
  private final Repository repo;
  private int commits;

  private BareRemote(Path dir, Repository repo) {
    this.dir = dir;
    this.repo = repo;
  }

  /** A new empty bare repository in {@code dir}, its default branch {@code main}. */
  public static BareRemote create(Path dir) throws GitAPIException {
    JGitIsolation.ensure();  // JGit must never start `git` to find a system configuration
    Git git = Git.init().setBare(true).setInitialBranch("main").setDirectory(dir.toFile()).call();
    var config = git.getRepository().getConfig();
    config.setInt("gc", null, "auto", 0);  // no background gc racing the temp directory's deletion
    try {
      config.save();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new BareRemote(dir, git.getRepository());
  }

  /** The {@code file://} URL the executor is given. */
  public String uri() {
    return dir.toAbsolutePath().toUri().toString();
  }

  /** The repository's directory. */
  public Path dir() {
    return dir;
  }

  /**
   * Commits {@code files} (path to text; a null text deletes the file) on top of {@code main}, moving {@code main}.
   *
   * @return the new commit
   */
  public synchronized ObjectId commit(String message, Map<String, String> files) throws IOException {
    return commitOn("main", message, files);
  }

  /** As {@link #commit}, on {@code branch} (created from {@code main} when absent). */
  public synchronized ObjectId commitOn(String branch, String message, Map<String, String> files) throws IOException {
    Ref base = repo.exactRef("refs/heads/" + branch);
    if (base == null) {
      base = repo.exactRef("refs/heads/main");
    }
    try (ObjectInserter ins = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(repo)) {
      DirCache index = DirCache.newInCore();
      RevCommit parent = base == null ? null : walk.parseCommit(base.getObjectId());
      if (parent != null) {
        DirCacheBuilder b = index.builder();
        b.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
        b.finish();
      }
      DirCacheEditor editor = index.editor();
      for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
        if (f.getValue() == null) {
          editor.add(new DirCacheEditor.DeletePath(f.getKey()));
          continue;
        }
        ObjectId blob = ins.insert(Constants.OBJ_BLOB, f.getValue().getBytes(StandardCharsets.UTF_8));
        editor.add(new DirCacheEditor.PathEdit(f.getKey()) {
          @Override
          public void apply(DirCacheEntry entry) {
            entry.setFileMode(FileMode.REGULAR_FILE);
            entry.setObjectId(blob);
          }
        });
      }
      editor.finish();
      CommitBuilder c = new CommitBuilder();
      c.setTreeId(index.writeTree(ins));
      if (parent != null) {
        c.setParentId(parent);
      }
      PersonIdent who = new PersonIdent(DEVELOPER, DEVELOPER.getWhenAsInstant().plusSeconds(60L * commits++),
          ZoneOffset.UTC);
      c.setAuthor(who);
      c.setCommitter(who);
      c.setMessage(message + "\n");
      ObjectId id = ins.insert(c);
      ins.flush();
      RefUpdate u = repo.updateRef("refs/heads/" + branch);
      u.setNewObjectId(id);
      u.setForceUpdate(true);
      RefUpdate.Result r = u.update();
      if (r != RefUpdate.Result.NEW && r != RefUpdate.Result.FORCED && r != RefUpdate.Result.FAST_FORWARD) {
        throw new IOException("could not move " + branch + ": " + r);
      }
      return id;
    }
  }

  /**
   * Merges branch {@code head} into {@code base} with a merge commit (an in-core three-way merge, as a host's "merge"
   * button does), moving {@code base}.
   *
   * @return the merge commit
   * @throws IOException when a branch is missing or the merge conflicts
   */
  public synchronized ObjectId merge(String head, String base, String message) throws IOException {
    RevCommit h = head(head);
    RevCommit b = head(base);
    org.eclipse.jgit.merge.ThreeWayMerger merger = org.eclipse.jgit.merge.MergeStrategy.RECURSIVE.newMerger(repo,
        true);
    if (!merger.merge(b, h)) {
      throw new IOException("merging " + head + " into " + base + " conflicts");
    }
    try (ObjectInserter ins = repo.newObjectInserter()) {
      CommitBuilder c = new CommitBuilder();
      c.setTreeId(merger.getResultTreeId());
      c.setParentIds(b, h);
      PersonIdent who = new PersonIdent(DEVELOPER, DEVELOPER.getWhenAsInstant().plusSeconds(60L * commits++),
          ZoneOffset.UTC);
      c.setAuthor(who);
      c.setCommitter(who);
      c.setMessage(message + "\n");
      ObjectId id = ins.insert(c);
      ins.flush();
      RefUpdate u = repo.updateRef("refs/heads/" + base);
      u.setExpectedOldObjectId(b);
      u.setNewObjectId(id);
      RefUpdate.Result r = u.update();
      if (r != RefUpdate.Result.FAST_FORWARD && r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NEW) {
        throw new IOException("could not move " + base + ": " + r);
      }
      return id;
    }
  }

  /** Every file on {@code branch}: path to text (what a sync tool reads from the branch's head). */
  public Map<String, String> files(String branch) throws IOException {
    Map<String, String> out = new TreeMap<>();
    RevCommit c = head(branch);
    try (TreeWalk w = new TreeWalk(repo)) {
      w.addTree(c.getTree());
      w.setRecursive(true);
      while (w.next()) {
        out.put(w.getPathString(), new String(repo.open(w.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Every ref and its commit, sorted by name: compare before and after to see that nothing was pushed. */
  public Map<String, String> refs() throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Ref r : repo.getRefDatabase().getRefs()) {
      out.put(r.getName(), r.getObjectId().name());
    }
    return out;
  }

  /** The branches under {@code prefix} (names without {@code refs/heads/}). */
  public Map<String, String> branches(String prefix) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Ref r : repo.getRefDatabase().getRefsByPrefix("refs/heads/" + prefix)) {
      out.put(r.getName().substring("refs/heads/".length()), r.getObjectId().name());
    }
    return out;
  }

  /** The head commit of {@code branch}. */
  public RevCommit head(String branch) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(repo.resolve("refs/heads/" + branch));
      walk.parseBody(c);
      return c;
    }
  }

  /** The text of {@code path} on {@code branch}, if present. */
  public Optional<String> file(String branch, String path) throws IOException {
    RevCommit c = head(branch);
    try (TreeWalk w = TreeWalk.forPath(repo, path, c.getTree())) {
      return w == null ? Optional.empty()
          : Optional.of(new String(repo.open(w.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The paths whose content differs between the heads of {@code a} and {@code b}. */
  public java.util.List<String> changedPaths(String a, String b) throws IOException {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (TreeWalk w = new TreeWalk(repo)) {
      w.addTree(head(a).getTree());
      w.addTree(head(b).getTree());
      w.setRecursive(true);
      w.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
      while (w.next()) {
        out.add(w.getPathString());
      }
    }
    return out;
  }

  /** The JGit repository (to move refs by hand: a merge, a force push by someone else). */
  public Repository repository() {
    return repo;
  }

  @Override
  public void close() {
    repo.close();
  }
}
