package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import org.jspecify.annotations.Nullable;

/**
 * What a rollback means in a config repository: the workload whose pod template runs {@code badImage} now, and the
 * image it ran while healthy. The image references are the ones the rollout history recorded (the pod template's
 * {@code image:}), for example {@code registry.example.com/shop/cart:1.3.0} and {@code ...:1.2.9}.
 *
 * @param namespace the workload's namespace
 * @param workload the Deployment's or StatefulSet's name
 * @param container the container whose image changed, or null when any container running {@code badImage} is meant
 * @param badImage the image running now, which the rollback removes
 * @param healthyImage the image of the last healthy revision, which the rollback restores
 */
public record ImageRollback(String namespace, String workload, @Nullable String container, String badImage,
    String healthyImage) {
  /** Checks the components. */
  public ImageRollback {
    Require.notBlank(namespace, "namespace");
    Require.notBlank(workload, "workload");
    if (container != null) {
      Require.notBlank(container, "container");
    }
    Require.notBlank(badImage, "badImage");
    Require.notBlank(healthyImage, "healthyImage");
    if (ImageRef.parse(badImage).sameImage(ImageRef.parse(healthyImage))) {
      throw new IllegalArgumentException("healthyImage must differ from badImage, but both were " + healthyImage);
    }
  }

  /** {@code namespace/workload} and the container, for messages. */
  String describe() {
    return namespace + "/" + workload + (container == null ? "" : " (container " + container + ")");
  }
}
