package dev.sreagent.gitops;

import dev.sreagent.api.model.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Says what a {@link Action.RollBack} means in images: which workload, and which image it runs now and ran while
 * healthy. A plan's revisions are rollout-history ids (a Deployment's {@code deployment.kubernetes.io/revision}
 * numbers); the config repository speaks images. The composition root answers from the Kubernetes adapter's rollout
 * history, for example:
 *
 * <pre>{@code
 * RollbackImages images = RollbackImages.fromRevisionImages(service -> "shop", (service, revision) ->
 *     topology.rolloutHistory("shop", service).stream().filter(r -> r.revision().equals(revision))
 *         .findFirst().map(RolloutRevision::images).orElse(List.of()));
 * }</pre>
 */
@FunctionalInterface
public interface RollbackImages {
  /** The images of {@code rollBack}, or empty when its revisions are not known (the executor refuses it then). */
  Optional<ImageRollback> resolve(Action.RollBack rollBack);

  /**
   * From the images of each revision: the workload is named as the service, in {@code namespaceOf(service)}; the
   * change is the one image of {@code fromRevision} that {@code toRevision} runs with another tag or digest of the same
   * repository. Empty when the revisions' images are unknown (an empty list) or differ in no image, or in more than
   * one (a rollback of several images is not one declaration to restore).
   *
   * @param namespaceOf the namespace of a service's workload
   * @param imagesOf the images (in pod-template order) of a service's revision, empty when unknown
   */
  static RollbackImages fromRevisionImages(Function<String, String> namespaceOf,
      BiFunction<String, String, List<String>> imagesOf) {
    Objects.requireNonNull(namespaceOf, "namespaceOf");
    Objects.requireNonNull(imagesOf, "imagesOf");
    return rollBack -> {
      List<String> from = imagesOf.apply(rollBack.service(), rollBack.fromRevision());
      List<String> to = imagesOf.apply(rollBack.service(), rollBack.toRevision());
      List<String[]> pairs = new ArrayList<>();
      for (String bad : from) {
        if (to.contains(bad)) {
          continue;
        }
        ImageRef b = ImageRef.parse(bad);
        to.stream().filter(h -> !from.contains(h) && ImageRef.parse(h).sameRepository(b))
            .forEach(h -> pairs.add(new String[] {bad, h}));
      }
      if (pairs.size() != 1) {
        return Optional.empty();
      }
      return Optional.of(new ImageRollback(namespaceOf.apply(rollBack.service()), rollBack.service(), null,
          pairs.get(0)[0], pairs.get(0)[1]));
    };
  }

  /** Always {@code rollback}, whatever the action (tests, and agents that roll back one known workload). */
  static RollbackImages fixed(ImageRollback rollback) {
    Objects.requireNonNull(rollback, "rollback");
    return rollBack -> Optional.of(rollback);
  }
}
