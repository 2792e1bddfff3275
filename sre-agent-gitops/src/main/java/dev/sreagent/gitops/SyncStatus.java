package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What the cluster has applied from the config repository, for a rollback's workload: the port
 * {@link GitRollbackExecutor} polls after the merge, so that its action completes only when the cluster runs the
 * healthy image (and the agent's verification window starts then, not while the bad image still serves). Adapters
 * answer from Argo CD ({@code Application.status.sync.revision}), Flux ({@code Kustomization.status.lastAppliedRevision},
 * the sha after {@code main@sha1:}) or the workload itself (its pod template's images once the rollout is complete).
 *
 * <p>The executor decides from the {@link Observation}: the cluster runs the rollback when every part that is
 * reported agrees — the synced revision is the merge commit or a later commit of the base branch, and the images
 * include the healthy image and not the bad one — and at least one part is reported.
 */
@FunctionalInterface
public interface SyncStatus {
  /** What the cluster runs now for {@code rollback}'s workload. Failures are thrown; the executor retries them. */
  Observation observe(ImageRollback rollback);

  /** The source's name in messages, for example {@code Argo CD application shop-cart}. */
  default String describe() {
    return "sync status";
  }

  /**
   * What the cluster runs.
   *
   * @param syncedRevision the config repository commit the cluster last applied (full sha), or null when not known
   * @param images the images the workload runs (a completed rollout's pod template), empty when not known
   */
  record Observation(@Nullable String syncedRevision, List<String> images) {
    /** Checks the components. */
    public Observation {
      if (syncedRevision != null) {
        Require.notBlank(syncedRevision, "syncedRevision");
      }
      images = List.copyOf(Objects.requireNonNull(images, "images"));
    }

    /** Whether anything is reported. */
    public boolean known() {
      return syncedRevision != null || !images.isEmpty();
    }
  }

  /** From the images the workload runs, read by {@code images} (empty while unknown, for example mid-rollout). */
  static SyncStatus workloadImages(String description, Function<ImageRollback, List<String>> images) {
    Require.notBlank(description, "description");
    Objects.requireNonNull(images, "images");
    return new SyncStatus() {
      @Override
      public Observation observe(ImageRollback rollback) {
        return new Observation(null, images.apply(rollback));
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }
}
