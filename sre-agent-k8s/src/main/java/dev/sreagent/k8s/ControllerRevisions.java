package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A StatefulSet's rollout history as the API server keeps it: one {@code apps/v1} ControllerRevision per distinct pod
 * template, owned by the StatefulSet (a controller {@code ownerReference} with its uid), named
 * {@code <statefulset>-<hash>} and numbered by its {@code revision} field ({@code kubectl rollout history statefulset}
 * lists these numbers).
 *
 * <p>The StatefulSet controller stores the template in {@code data} as the strategic-merge patch that restores it,
 * {@code {"spec":{"template":{...,"$patch":"replace"}}}} (its {@code getPatch}; {@code kubectl rollout undo
 * statefulset} sends that patch as it is, and decides "already at that revision" by comparing it with the same patch
 * made from the live StatefulSet). When a StatefulSet returns to an older template, the controller reuses that
 * template's ControllerRevision and gives it the next number: the old number is gone (there is no revision-history
 * annotation as on a ReplicaSet). {@code status.updateRevision} names the revision of the spec's template (the one
 * pods are updated to), {@code status.currentRevision} the one the pods not yet updated run.
 */
final class ControllerRevisions {
  /** The strategic-merge-patch directive the controller puts in the stored template. */
  static final String PATCH_DIRECTIVE = "$patch";

  private ControllerRevisions() {}

  /** Whether {@code statefulSet} controls {@code revision} (by uid: a re-created StatefulSet owns nothing old). */
  static boolean ownedBy(ControllerRevision revision, StatefulSet statefulSet) {
    String uid = statefulSet.getMetadata().getUid();
    List<OwnerReference> refs = revision.getMetadata().getOwnerReferences();
    return uid != null && refs != null && refs.stream().anyMatch(r -> "StatefulSet".equals(r.getKind())
        && Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
  }

  /** Whether {@code revision}'s number is {@code number} (as the plan writes it). */
  static boolean isRevision(ControllerRevision revision, String number) {
    return revision.getRevision() != null && Long.toString(revision.getRevision()).equals(number.trim());
  }

  /** The number of the revision named {@code name} among {@code owned}, if there is one. */
  static OptionalLong numberOf(List<ControllerRevision> owned, String name) {
    return named(owned, name).filter(r -> r.getRevision() != null)
        .map(r -> OptionalLong.of(r.getRevision())).orElse(OptionalLong.empty());
  }

  /** The revision named {@code name} among {@code owned}. */
  static Optional<ControllerRevision> named(List<ControllerRevision> owned, String name) {
    return name == null ? Optional.empty()
        : owned.stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
  }

  /**
   * The pod template {@code revision} restores: {@code data.spec.template} without its {@value #PATCH_DIRECTIVE}
   * directive; empty when {@code data} does not have that form (not written by the StatefulSet controller). The client
   * reads {@code data} as a {@code RawExtension} holding the parsed JSON.
   */
  static Optional<PodTemplateSpec> template(ControllerRevision revision, KubernetesSerialization serialization) {
    Object raw = revision.getData() instanceof AnyType any ? any.getValue() : revision.getData();
    if (!(raw instanceof Map<?, ?> data) || !(data.get("spec") instanceof Map<?, ?> spec)
        || !(spec.get("template") instanceof Map<?, ?> template)) {
      return Optional.empty();
    }
    Map<Object, Object> t = new LinkedHashMap<>(template);
    t.remove(PATCH_DIRECTIVE);
    try {
      return Optional.of(serialization.convertValue(t, PodTemplateSpec.class));
    } catch (RuntimeException e) {  // not a pod template after all: treated as no template
      return Optional.empty();
    }
  }

  /** Whether {@code statefulSet}'s pod template is the one {@code revision} restores. */
  static boolean runsTemplateOf(StatefulSet statefulSet, ControllerRevision revision,
      KubernetesSerialization serialization) {
    return template(revision, serialization).filter(t -> t.equals(statefulSet.getSpec().getTemplate())).isPresent();
  }

  /** "controllerrevision shop/orders-db-7c9f5d8b4 (revision 2)". */
  static String describe(ControllerRevision revision) {
    return "controllerrevision " + revision.getMetadata().getNamespace() + "/" + revision.getMetadata().getName()
        + " (revision " + revision.getRevision() + ")";
  }
}
