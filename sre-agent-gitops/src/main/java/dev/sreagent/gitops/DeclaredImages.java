package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which images a config tree declares for a workload, read the way {@link GitRollbackExecutor} reads it (manifests'
 * {@code containers[].image}, Kustomize {@code images:} overrides and inline patches, Helm values). Where a
 * Kustomization both patches the image and overrides it in {@code images:}, only the override counts (kustomize applies
 * it after the patches). For what watches a config repository
 * from the other side: a sync emulator that must tell which of a workload's known images the merged tree asks for, a
 * check that the base branch declares the healthy image again.
 *
 * <p>It is not a renderer: it answers only for the candidate images it is given, and does not apply Kustomize bases or
 * Helm templates. A file that is not valid YAML is skipped (as the executor skips it).
 */
public final class DeclaredImages {
  private DeclaredImages() {}

  /**
   * The images among {@code candidates} that {@code files} declare for the workload {@code namespace/workload}, in
   * the candidates' order.
   *
   * @param files the tree: path (relative to the repository root) to text; files the executor would not read (a
   *     chart's templates, non-YAML files) are ignored
   * @param namespace the workload's namespace
   * @param workload the Deployment's or StatefulSet's name
   * @param container the container, or null for any
   * @param candidates the images to look for, for example those of the workload's rollout history
   */
  public static List<String> find(Map<String, String> files, String namespace, String workload,
      @Nullable String container, Collection<String> candidates) {
    Objects.requireNonNull(files, "files");
    Require.notBlank(namespace, "namespace");
    Require.notBlank(workload, "workload");
    Objects.requireNonNull(candidates, "candidates");
    Set<String> found = new LinkedHashSet<>();
    for (String candidate : candidates) {
      ImageRef image = ImageRef.parse(Require.notBlank(candidate, "candidates"));
      for (Map.Entry<String, String> f : files.entrySet()) {
        if (!YamlDeclarations.candidate(f.getKey())) {
          continue;
        }
        YamlDeclarations.Scan scan = YamlDeclarations.scan(f.getKey(), f.getValue(), namespace, workload, container,
            image, p -> Optional.ofNullable(files.get(p)));
        boolean overridden = !scan.conflicts().isEmpty();
        if (scan.declarations().stream().anyMatch(d -> !overridden || (d.form() != Declaration.Form.KUSTOMIZE_PATCH
            && d.form() != Declaration.Form.KUSTOMIZE_PATCH_FILE))) {
          found.add(candidate);
        }
      }
    }
    return new ArrayList<>(found);
  }
}
