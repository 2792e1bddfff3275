package dev.sreagent.testkit.gitops;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.gitops.DeclaredImages;
import dev.sreagent.gitops.ImageRollback;
import dev.sreagent.gitops.RollbackImages;
import dev.sreagent.gitops.SyncStatus;
import dev.sreagent.testkit.SimulatedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * <b>An emulator of a GitOps controller's automated sync</b> (Argo CD with {@code syncPolicy.automated}, or a Flux
 * {@code Kustomization}), for one branch of a {@link BareRemote} and a {@link SimulatedCluster}: at each
 * {@link #sync()} (a harness calls it after every step; at most once per {@link Builder#setInterval interval}) it reads
 * the branch's head and, for each workload it manages, the image the tree declares for it among the images it knows,
 * read by the GitOps module's own {@link DeclaredImages} (Kustomize overlay {@code images:}, Helm values, manifests);
 * then it makes the simulated cluster run the revision of that image:
 * <ul>
 *   <li>an image of a known revision (one the cluster ran before): the cluster rolls back (or forward) to that
 *       revision ({@link SimulatedCluster#applyExternally} of a {@code RollBack}), its pods replaced and its error rate
 *       that of the revision — a bad deploy's errors fall once the healthy image is back;
 *   <li>a new image: a new rollout, healthy or as {@link #expectRollout declared} (the bad deploy of a scenario, with
 *       its error ratio and latency), recorded as the image of the new revision.
 * </ul>
 * The head commit it last applied is its synced revision (Argo CD's {@code status.sync.revision}, Flux's
 * {@code lastAppliedRevision}); as a {@link SyncStatus} it reports that revision and the image the workload's current
 * revision runs.
 *
 * <p>Not emulated: rendering (Kustomize bases and Helm templates are not built: only the declared image of the workload
 * is read), any other field of the manifests (replicas, resources), self-heal of drift, sync waves and hooks, health
 * assessment, pruning, manual sync. A tree that declares no known image for a workload, or several, is a sync error
 * ({@link #errors()}) and changes nothing, as a comparison error would.
 */
public final class AutoSyncEmulator implements SyncStatus {
  /**
   * One sync that changed the cluster.
   *
   * @param at when (the cluster's clock)
   * @param commit the head commit applied
   * @param service the workload's service
   * @param image the image it runs now
   * @param revision the cluster's revision of that image
   * @param what what the cluster said
   */
  public record Applied(Instant at, String commit, String service, String image, String revision, String what) {}

  private record Rollout(double errorRatio, Duration addedLatency) {}

  private final BareRemote remote;
  private final SimulatedCluster cluster;
  private final String branch;
  private final List<String> paths;
  private final Duration interval;
  private final Map<String, Map<String, String>> imagesByRevision = new LinkedHashMap<>();
  private final Map<String, Rollout> rollouts = new LinkedHashMap<>();
  private final List<Applied> applied = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private @Nullable String syncedRevision;
  private @Nullable Instant lastPoll;
  private boolean paused;

  private AutoSyncEmulator(Builder b) {
    this.remote = b.remote;
    this.cluster = b.cluster;
    this.branch = b.branch;
    this.paths = List.copyOf(b.paths);
    this.interval = b.interval;
    b.workloads.forEach((service, images) -> imagesByRevision.put(service, new LinkedHashMap<>(images)));
  }

  /** A builder of the sync of {@code remote} into {@code cluster}; {@link Builder#addWorkload} at least once. */
  public static Builder builder(BareRemote remote, SimulatedCluster cluster) {
    return new Builder(remote, cluster);
  }

  /** Builder of {@link AutoSyncEmulator}. */
  public static final class Builder {
    private final BareRemote remote;
    private final SimulatedCluster cluster;
    private String branch = "main";
    private List<String> paths = List.of();
    private Duration interval = Duration.ZERO;
    private final Map<String, Map<String, String>> workloads = new LinkedHashMap<>();

    private Builder(BareRemote remote, SimulatedCluster cluster) {
      this.remote = Objects.requireNonNull(remote, "remote");
      this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /** The branch synced (default {@code main}). */
    public Builder setBranch(String branch) {
      this.branch = Require.notBlank(branch, "branch");
      return this;
    }

    /**
     * The paths the application's source covers (an Argo CD application's {@code path}, a Flux Kustomization's
     * {@code path}): directories or files; default the whole tree.
     */
    public Builder setPaths(List<String> paths) {
      Objects.requireNonNull(paths, "paths").forEach(p -> Require.notBlank(p, "paths"));
      this.paths = List.copyOf(paths);
      return this;
    }

    /** How often the branch is polled (default zero: at every {@link #sync()}; Argo CD's default is 3 min). */
    public Builder setInterval(Duration interval) {
      this.interval = Require.notNegative(interval, "interval");
      return this;
    }

    /**
     * Manages the workload of {@code service} (in {@link SimulatedCluster#NAMESPACE}), whose revisions run these
     * images: revision id ({@code r1}, {@code r2}, ... as the cluster names them) to image. Every revision the cluster
     * has for the service should be named, the current one included.
     */
    public Builder addWorkload(String service, Map<String, String> imagesByRevision) {
      Require.notBlank(service, "service");
      if (Objects.requireNonNull(imagesByRevision, "imagesByRevision").isEmpty()) {
        throw new IllegalArgumentException("imagesByRevision of " + service + " must name at least the current"
            + " revision's image, but was {}");
      }
      List<String> known = cluster.revisions(service).stream().map(dev.sreagent.api.model.Revision::id).toList();
      for (String revision : imagesByRevision.keySet()) {
        if (!known.contains(revision)) {
          throw new IllegalArgumentException("revision '" + revision + "' of " + service + " is not one of the"
              + " cluster's revisions " + known);
        }
      }
      workloads.put(service, Map.copyOf(imagesByRevision));
      return this;
    }

    public AutoSyncEmulator build() {
      if (workloads.isEmpty()) {
        throw new IllegalStateException("AutoSyncEmulator needs addWorkload(service, imagesByRevision)");
      }
      return new AutoSyncEmulator(this);
    }
  }

  /**
   * A later rollout of {@code image} (a commit that declares it for the first time) is a bad deploy: it fails
   * {@code errorRatio} of the requests and adds {@code addedLatency} (as {@link SimulatedCluster#injectBadDeploy}).
   * Images not announced roll out healthy.
   */
  public synchronized AutoSyncEmulator expectRollout(String image, double errorRatio, Duration addedLatency) {
    Require.notBlank(image, "image");
    Require.unit(errorRatio, "errorRatio");
    rollouts.put(image, new Rollout(errorRatio, Require.notNegative(addedLatency, "addedLatency")));
    return this;
  }

  /** Stops (true) or resumes (false) syncing, as a sync window or a suspended Kustomization would. */
  public synchronized void setPaused(boolean paused) {
    this.paused = paused;
  }

  /**
   * Polls the branch (unless paused, or polled less than an interval ago) and applies what its head declares.
   *
   * @return whether the cluster changed
   */
  public synchronized boolean sync() {
    Instant now = cluster.clock().now();
    if (paused || (lastPoll != null && now.isBefore(lastPoll.plus(interval)))) {
      return false;
    }
    lastPoll = now;
    String head;
    Map<String, String> tree;
    try {
      head = remote.head(branch).name();
      if (head.equals(syncedRevision)) {
        return false;
      }
      tree = inPaths(remote.files(branch));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read branch " + branch + " of " + remote.uri(), e);
    }
    boolean changed = false;
    for (Map.Entry<String, Map<String, String>> w : imagesByRevision.entrySet()) {
      changed |= apply(now, head, tree, w.getKey(), w.getValue());
    }
    syncedRevision = head;
    return changed;
  }

  private boolean apply(Instant now, String head, Map<String, String> tree, String service,
      Map<String, String> images) {
    List<String> candidates = new ArrayList<>(images.values());
    rollouts.keySet().stream().filter(i -> !candidates.contains(i)).forEach(candidates::add);
    List<String> declared = DeclaredImages.find(tree, SimulatedCluster.NAMESPACE, service, null, candidates);
    if (declared.size() != 1) {
      errors.add(now + " " + head + ": " + (declared.isEmpty() ? "no known image" : "several images " + declared)
          + " declared for " + service + " under " + (paths.isEmpty() ? "the whole tree" : paths.toString())
          + "; nothing applied");
      return false;
    }
    String image = declared.get(0);
    String current = cluster.currentRevision(service);
    if (image.equals(images.get(current))) {
      return false;
    }
    Optional<String> known = images.entrySet().stream().filter(e -> e.getValue().equals(image))
        .map(Map.Entry::getKey).findFirst();
    String what;
    String revision;
    if (known.isPresent()) {
      revision = known.get();
      what = cluster.applyExternally(new Action.RollBack(service, current, revision));
    } else {
      Rollout r = rollouts.get(image);
      if (r == null) {
        revision = cluster.deployHealthy(service);
      } else {
        cluster.injectBadDeploy(service, r.errorRatio(), r.addedLatency());
        revision = cluster.currentRevision(service);
      }
      images.put(revision, image);
      what = "rolled out " + image + " as " + revision;
    }
    applied.add(new Applied(now, head, service, image, revision, what));
    return true;
  }

  private Map<String, String> inPaths(Map<String, String> files) {
    if (paths.isEmpty()) {
      return files;
    }
    Map<String, String> out = new LinkedHashMap<>();
    files.forEach((path, text) -> {
      if (paths.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/"))) {
        out.put(path, text);
      }
    });
    return out;
  }

  /** The synced revision and the image the workload's current revision runs. */
  @Override
  public synchronized Observation observe(ImageRollback rollback) {
    Map<String, String> images = imagesByRevision.get(rollback.workload());
    if (images == null) {
      return new Observation(syncedRevision, List.of());
    }
    String image = images.get(cluster.currentRevision(rollback.workload()));
    return new Observation(syncedRevision, image == null ? List.of() : List.of(image));
  }

  @Override
  public String describe() {
    return "auto-sync emulator of " + branch;
  }

  /**
   * What a rollback's revisions mean in images, from the revisions this emulator knows (those given and those it
   * rolled out): the wiring of {@code GitRollbackExecutor.Builder.setImages} in tests.
   */
  public RollbackImages rollbackImages() {
    return RollbackImages.fromRevisionImages(service -> SimulatedCluster.NAMESPACE, (service, revision) ->
        imageOf(service, revision).map(List::of).orElse(List.of()));
  }

  /** The image of {@code revision} of {@code service}, if known. */
  public synchronized Optional<String> imageOf(String service, String revision) {
    Map<String, String> images = imagesByRevision.get(service);
    return images == null ? Optional.empty() : Optional.ofNullable(images.get(revision));
  }

  /** The head commit last applied, or null before the first sync. */
  public synchronized @Nullable String syncedRevision() {
    return syncedRevision;
  }

  /** Every sync that changed the cluster, in order. */
  public synchronized List<Applied> applied() {
    return List.copyOf(applied);
  }

  /** Every sync error (a tree that declares no known image for a workload, or several), in order. */
  public synchronized List<String> errors() {
    return List.copyOf(errors);
  }
}
