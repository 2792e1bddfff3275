package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A Deployment's rollout history as the API server keeps it: one ReplicaSet per distinct pod template, owned by the
 * Deployment (a controller {@code ownerReference} with its uid), numbered by the {@value #REVISION} annotation the
 * Deployment controller writes. When a Deployment returns to an older template (a rollback), the controller reuses
 * that template's ReplicaSet, gives it the next number and keeps the old numbers in {@value #REVISION_HISTORY}.
 */
final class ReplicaSets {
  /** The revision number of a Deployment (its current one) or of a ReplicaSet. */
  static final String REVISION = "deployment.kubernetes.io/revision";
  /** The earlier revision numbers of a reused ReplicaSet, comma-separated. */
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  /** The label the Deployment controller adds to a ReplicaSet's template (and selector): not part of the Deployment's. */
  static final String POD_TEMPLATE_HASH = "pod-template-hash";

  private ReplicaSets() {}

  /** The revision number recorded on {@code object}, if it has a readable one. */
  static OptionalLong revision(HasMetadata object) {
    Map<String, String> a = object.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(REVISION);
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The uids of the Deployments that control {@code rs} (at most one on a real cluster). */
  static List<String> controllingDeploymentUids(ReplicaSet rs) {
    List<String> out = new ArrayList<>();
    List<OwnerReference> refs = rs.getMetadata().getOwnerReferences();
    if (refs != null) {
      for (OwnerReference ref : refs) {
        if ("Deployment".equals(ref.getKind()) && Boolean.TRUE.equals(ref.getController()) && ref.getUid() != null) {
          out.add(ref.getUid());
        }
      }
    }
    return out;
  }

  /** Whether {@code deployment} controls {@code rs} (by uid, not by name: a re-created Deployment owns nothing old). */
  static boolean ownedBy(ReplicaSet rs, Deployment deployment) {
    String uid = deployment.getMetadata().getUid();
    return uid != null && controllingDeploymentUids(rs).contains(uid);
  }

  /** The name of the Deployment controlling {@code rs}, or null. */
  static String controllingDeploymentName(ReplicaSet rs) {
    List<OwnerReference> refs = rs.getMetadata().getOwnerReferences();
    return refs == null ? null : refs.stream().filter(r -> "Deployment".equals(r.getKind())
        && Boolean.TRUE.equals(r.getController())).map(OwnerReference::getName).findFirst().orElse(null);
  }

  /** Whether {@code rs} is, or once was, revision {@code revision} (its number or its {@value #REVISION_HISTORY}). */
  static boolean wasRevision(ReplicaSet rs, String revision) {
    String wanted = revision.trim();
    OptionalLong now = revision(rs);
    if (now.isPresent() && Long.toString(now.getAsLong()).equals(wanted)) {
      return true;
    }
    Map<String, String> a = rs.getMetadata().getAnnotations();
    String history = a == null ? null : a.get(REVISION_HISTORY);
    return history != null && Arrays.stream(history.split(",")).map(String::trim).anyMatch(wanted::equals);
  }

  /** A copy of {@code rs}'s pod template without the {@value #POD_TEMPLATE_HASH} label: the Deployment's form. */
  static PodTemplateSpec deploymentTemplate(ReplicaSet rs, KubernetesSerialization serialization) {
    PodTemplateSpec t = serialization.clone(rs.getSpec().getTemplate());
    if (t.getMetadata() != null && t.getMetadata().getLabels() != null) {
      Map<String, String> labels = new HashMap<>(t.getMetadata().getLabels());
      labels.remove(POD_TEMPLATE_HASH);
      t.getMetadata().setLabels(labels);
    }
    return t;
  }

  /** Whether {@code deployment} runs {@code rs}'s pod template (the hash label aside). */
  static boolean runsTemplateOf(Deployment deployment, ReplicaSet rs, KubernetesSerialization serialization) {
    return deploymentTemplate(rs, serialization).equals(deployment.getSpec().getTemplate());
  }

  /** The images of a pod template's containers (init containers first), in order. */
  static List<String> images(PodTemplateSpec template) {
    List<String> out = new ArrayList<>();
    if (template != null && template.getSpec() != null) {
      if (template.getSpec().getInitContainers() != null) {
        template.getSpec().getInitContainers().stream().map(Container::getImage).forEach(out::add);
      }
      if (template.getSpec().getContainers() != null) {
        template.getSpec().getContainers().stream().map(Container::getImage).forEach(out::add);
      }
    }
    return out;
  }

  /** Whether every desired pod of {@code rs} is ready: {@code status.readyReplicas == spec.replicas > 0}. */
  static boolean fullyReady(ReplicaSet rs) {
    int desired = rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    Integer ready = rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas();
    return desired > 0 && ready != null && ready == desired;
  }

  /** Whether {@code rs} wants no pods (scaled down: no evidence about its health either way). */
  static boolean scaledToZero(ReplicaSet rs) {
    return rs.getSpec() != null && rs.getSpec().getReplicas() != null && rs.getSpec().getReplicas() == 0;
  }

  /** When {@code rs} was created (its template's first rollout), or the epoch when the API gave no timestamp. */
  static Instant createdAt(HasMetadata rs) {
    String ts = rs.getMetadata().getCreationTimestamp();
    try {
      return ts == null ? Instant.EPOCH : Instant.parse(ts);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
