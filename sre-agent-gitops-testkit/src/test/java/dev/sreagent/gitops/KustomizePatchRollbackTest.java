package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback of an image set by an inline Kustomize patch, through a real repository: the pushed branch changes only
 * the image line inside the patch, back to its text at the healthy commit; a patch overridden by {@code images:} is
 * refused naming both.
 */
class KustomizePatchRollbackTest {
  static final String OVERLAY = "overlays/prod/kustomization.yaml";
  static final String PATCHED = """
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      namespace: shop
      resources:
        - ../../base
      patches:
        # the release pipeline bumps the tag below
        - target:
            kind: Deployment
            name: cart
          patch: |-
            - op: replace
              path: /spec/template/spec/containers/0/image
              value: %s
        - patch: |-
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: %d
      """;

  @TempDir
  Path tmp;
  BareRemote remote;

  @BeforeEach
  void remote() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
  }

  @AfterEach
  void close() {
    remote.close();
  }

  ActionResult rollback(String key) {
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve("work"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(Clock.fixed(GitRollbackExecutorTest.NOW))
        .build().execute(GitRollbackExecutorTest.ROLLBACK, new ExecutionContext("inc-9", key, 1, false));
  }

  @Test
  void anImageInAJson6902PatchIsRestoredOnItsLineOnly() throws Exception {
    remote.commit("cart 1.2.0", Map.of(OVERLAY, PATCHED.formatted("'" + ConfigRepos.HEALTHY + "'", 2)));
    ObjectId healthy = remote.commit("web: 3 replicas", Map.of(OVERLAY, PATCHED.formatted("'" + ConfigRepos.HEALTHY
        + "'", 3)));
    ObjectId bad = remote.commit("cart 1.3.0", Map.of(OVERLAY, PATCHED.formatted(ConfigRepos.BAD, 3)));

    ActionResult r = rollback("key-patch");

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String branch = remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX).keySet().iterator().next();
    assertThat(remote.changedPaths("main", branch)).containsExactly(OVERLAY);
    String before = remote.file("main", OVERLAY).orElseThrow();
    String after = remote.file(branch, OVERLAY).orElseThrow();
    assertThat(after).isEqualTo(PATCHED.formatted("'" + ConfigRepos.HEALTHY + "'", 3));  // quoted, as it was
    assertThat(ImageEdit.changedLines(before, after)).containsExactly(14);
    assertThat(remote.head(branch).getFullMessage()).contains("to its value at commit " + healthy.name(),
        "undoes the change of commit " + bad.name(), "image on line 14: " + ConfigRepos.BAD + " -> '"
            + ConfigRepos.HEALTHY + "'");
  }

  @Test
  void aPatchTheImagesOverrideAlsoSetsIsRefusedNamingBoth() throws Exception {
    String overridden = "images:\n  - name: " + ConfigRepos.REPO + "\n    newTag: 1.4.0\n";
    remote.commit("cart 1.2.0", Map.of(OVERLAY, PATCHED.formatted(ConfigRepos.HEALTHY, 2) + overridden));
    remote.commit("cart 1.3.0", Map.of(OVERLAY, PATCHED.formatted(ConfigRepos.BAD, 2) + overridden));
    Map<String, String> refs = remote.refs();

    ActionResult r = rollback("key-conflict");

    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("ambiguous: " + ConfigRepos.BAD, OVERLAY + " (Kustomize inline patch, patches[0]"
        + ".patch: JSON 6902 replace of Deployment cart", "line 14", "images entry name=" + ConfigRepos.REPO
        + " on line 23", "nothing committed");
    assertThat(remote.refs()).isEqualTo(refs);
  }

  @Test
  void anImageInAJson6902PatchFileIsRestoredInThatFileOnly() throws Exception {
    String kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\n"
        + "resources:\n  - ../../base\npatches:\n  - path: cart-image.yaml\n    target:\n      kind: Deployment\n"
        + "      name: cart\n";
    String ops = "# bumped by the release pipeline\n- op: replace\n  path: /spec/template/spec/containers/0/image\n"
        + "  value: %s\n";
    String patchFile = "overlays/prod/cart-image.yaml";
    ObjectId healthy = remote.commit("cart 1.2.0", Map.of(OVERLAY, kustomization, patchFile,
        ops.formatted(ConfigRepos.HEALTHY)));
    ObjectId bad = remote.commit("cart 1.3.0", Map.of(patchFile, ops.formatted(ConfigRepos.BAD)));

    ActionResult r = rollback("key-patch-file");

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String branch = remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX).keySet().iterator().next();
    assertThat(remote.changedPaths("main", branch)).containsExactly(patchFile);
    assertThat(remote.file(branch, patchFile)).contains(ops.formatted(ConfigRepos.HEALTHY));
    assertThat(remote.file(branch, OVERLAY)).contains(kustomization);
    assertThat(remote.head(branch).getFullMessage()).contains("to its value at commit " + healthy.name(),
        "undoes the change of commit " + bad.name(), "Kustomize JSON 6902 patch file");
  }
}
