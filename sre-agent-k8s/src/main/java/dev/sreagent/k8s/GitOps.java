package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises objects a GitOps controller owns, from the metadata those controllers write. Such an object must not be
 * changed directly: the controller would undo the change at its next sync (or report drift), so the change has to go
 * through Git (the GitOps module, issue 15).
 *
 * <p>Argo CD: the {@value #ARGO_TRACKING_ID} annotation ({@code <application>:<group>/<kind>:<namespace>/<name>}, the
 * {@code annotation} and {@code annotation+label} tracking methods; an application outside Argo CD's own namespace is
 * written {@code <namespace>_<name>}); the {@value #ARGO_INSTANCE} label (the instance label key Argo CD's docs suggest
 * instead of the default); and the common {@value #INSTANCE} label (Argo CD's default {@code label} tracking) only when
 * some other {@code argocd.argoproj.io/} label or annotation marks the object as Argo CD's (sync waves, sync or compare
 * options, hooks), because Helm charts and operators set that label too. Not recognised: an object Argo CD tracks by
 * {@value #INSTANCE} alone, which cannot be told apart from a Helm release's; switch Argo CD to annotation tracking
 * (its default since 3.0) to have such objects refused.
 *
 * <p>Flux: the labels {@code kustomize.toolkit.fluxcd.io/name} and {@code /namespace} (kustomize-controller, a
 * {@code Kustomization}) and {@code helm.toolkit.fluxcd.io/name} and {@code /namespace} (helm-controller, a
 * {@code HelmRelease}; preferred when both are present, as it renders the object).
 */
final class GitOps {
  static final String ARGO_TRACKING_ID = "argocd.argoproj.io/tracking-id";
  static final String ARGO_INSTANCE = "argocd.argoproj.io/instance";
  static final String ARGO_PREFIX = "argocd.argoproj.io/";
  static final String INSTANCE = "app.kubernetes.io/instance";
  static final String FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/";
  static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";

  /**
   * The GitOps controller that owns an object.
   *
   * @param tool "Argo CD" or "Flux"
   * @param kind the owning object's kind: Application, Kustomization, HelmRelease
   * @param owner the owning object, {@code namespace/name} or {@code name}
   */
  record Manager(String tool, String kind, String owner) {
    String describe() {
      return tool + " (" + kind + " " + owner + ")";
    }
  }

  private GitOps() {}

  /** The GitOps controller that owns {@code object}, or empty when none of the known markers is on it. */
  static Optional<Manager> managerOf(HasMetadata object) {
    Map<String, String> labels = orEmpty(object.getMetadata().getLabels());
    Map<String, String> annotations = orEmpty(object.getMetadata().getAnnotations());
    Optional<Manager> flux = flux(labels, FLUX_HELM, "HelmRelease").or(() -> flux(labels, FLUX_KUSTOMIZE,
        "Kustomization"));
    return argo(labels, annotations).or(() -> flux);
  }

  private static Optional<Manager> argo(Map<String, String> labels, Map<String, String> annotations) {
    String trackingId = annotations.get(ARGO_TRACKING_ID);
    if (trackingId != null && !trackingId.isBlank()) {
      String app = trackingId.contains(":") ? trackingId.substring(0, trackingId.indexOf(':')) : trackingId;
      return Optional.of(application(app.replaceFirst("_", "/")));
    }
    String instance = labels.get(ARGO_INSTANCE);
    if (instance != null && !instance.isBlank()) {
      return Optional.of(application(instance));
    }
    boolean marked = labels.keySet().stream().anyMatch(k -> k.startsWith(ARGO_PREFIX))
        || annotations.keySet().stream().anyMatch(k -> k.startsWith(ARGO_PREFIX));
    if (!marked) {
      return Optional.empty();
    }
    String common = labels.get(INSTANCE);
    return Optional.of(application(common == null || common.isBlank() ? "(not named on the object)" : common));
  }

  private static Manager application(String name) {
    return new Manager("Argo CD", "Application", name);
  }

  private static Optional<Manager> flux(Map<String, String> labels, String prefix, String kind) {
    String name = labels.get(prefix + "name");
    if (name == null || name.isBlank()) {
      return Optional.empty();
    }
    String ns = labels.get(prefix + "namespace");
    return Optional.of(new Manager("Flux", kind, ns == null || ns.isBlank() ? name : ns + "/" + name));
  }

  /**
   * Why {@code object} may not get {@code change} (for example "a rollback") directly, or empty when no GitOps
   * controller owns it.
   */
  static Optional<String> refusal(HasMetadata object, String change) {
    return managerOf(object).map(m -> Workloads.describe(object) + " is managed by " + m.describe() + ": " + change
        + " made directly would be reverted at its next sync; make it through Git instead (change the manifests or"
        + " the revision the " + m.kind() + " " + m.owner() + " syncs, the GitOps path of issue #15); nothing was"
        + " changed");
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
