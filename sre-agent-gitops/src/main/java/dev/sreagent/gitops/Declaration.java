package dev.sreagent.gitops;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One place in one file of the config repository that declares a workload's image.
 *
 * @param path the file, relative to the repository root
 * @param form how it declares it
 * @param locus where in the file, independent of the values (the same locus at another commit is the same declaration)
 * @param image the image it makes the workload run
 * @param fields the scalars that make up the image, by field name ({@code image}, {@code tag}, {@code newTag}, ...)
 * @param patchFile for a JSON 6902 patch file, the Kustomization entry that names it and its target (the file alone
 *     does not say which workload it patches); null otherwise
 */
record Declaration(String path, Form form, String locus, ImageRef image, Map<String, Scalar> fields,
    @Nullable PatchFile patchFile) {
  /**
   * The Kustomization entry that applies a JSON 6902 patch file ({@code patches: - path: ... target: ...} or
   * {@code patchesJson6902:}), as read at the head: the file is read again at other commits with this target.
   *
   * @param entry the entry, for example {@code overlays/prod/kustomization.yaml patches[1] (path: cart-image.yaml)}
   * @param targetName the target's {@code name}
   * @param targetNamespace the target's {@code namespace}, or null
   * @param targetKind the target's {@code kind}, or null
   */
  record PatchFile(String entry, String targetName, @Nullable String targetNamespace, @Nullable String targetKind) {
    PatchFile {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(targetName, "targetName");
    }
  }

  /** The ways a config repository declares an image. */
  enum Form {
    /** {@code spec.template.spec.containers[].image} of a Deployment, StatefulSet or DaemonSet (or a patch of one). */
    MANIFEST("manifest"),
    /** An entry of a Kustomization's {@code images:} ({@code newName}, {@code newTag}, {@code digest}). */
    KUSTOMIZE_IMAGES("Kustomize images override"),
    /**
     * An inline Kustomize patch ({@code patches: - patch: |}, strategic merge or JSON 6902, or an inline
     * {@code patchesStrategicMerge:} entry): the image inside the patch's text.
     */
    KUSTOMIZE_PATCH("Kustomize inline patch"),
    /**
     * A JSON 6902 patch in a file of its own, applied by a Kustomization entry with a {@code target}
     * ({@code patches: - path:} or {@code patchesJson6902: - path:}): the {@code value} of a {@code replace} or
     * {@code add} of {@code /spec/template/spec/containers/N/image}.
     */
    KUSTOMIZE_PATCH_FILE("Kustomize JSON 6902 patch file"),
    /** A Helm values file ({@code image.tag}, {@code image.repository} and {@code tag}, {@code <name>.image...}). */
    HELM_VALUES("Helm values");

    private final String label;

    Form(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  Declaration {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(locus, "locus");
    Objects.requireNonNull(image, "image");
    fields = Map.copyOf(fields);
  }

  Declaration(String path, Form form, String locus, ImageRef image, Map<String, Scalar> fields) {
    this(path, form, locus, image, fields, null);
  }

  /** {@code path (form, locus, line n)} for messages. */
  String describe() {
    int line = fields.values().stream().mapToInt(Scalar::line).min().orElse(0);
    return path + " (" + form + ", " + locus + ", line " + line + ")";
  }

  /** The fields and their values, sorted by name. */
  Map<String, String> values() {
    Map<String, String> out = new TreeMap<>();
    fields.forEach((k, v) -> out.put(k, v.value()));
    return out;
  }
}
