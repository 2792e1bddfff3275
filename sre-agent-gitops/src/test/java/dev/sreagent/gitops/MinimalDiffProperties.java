package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The rollback's edit touches only the lines of the image's scalars, whatever the file looks like around them:
 * generated layouts of manifests, Kustomize overlays and Helm values, with comments, indentation, key order, quoting
 * and line endings varied, and the healthy and bad versions quoted differently.
 */
class MinimalDiffProperties {
  /**
   * One generated layout.
   *
   * @param form 0 manifest, 1 Kustomize, 2 Helm values, 3 Kustomize inline strategic-merge patch, 4 Kustomize inline
   *     JSON 6902 patch
   * @param indent spaces per level
   * @param quoteBad quoting of the bad value (0 none, 1 single, 2 double)
   * @param quoteHealthy quoting of the healthy value
   * @param comments comment lines to sprinkle, each at a random place
   * @param trailing a comment after the value
   * @param crlf Windows line endings
   * @param extrasFirst other keys before the image key
   */
  record Layout(int form, int indent, int quoteBad, int quoteHealthy, List<Integer> comments, boolean trailing,
      boolean crlf, boolean extrasFirst) {}

  @Provide
  Arbitrary<Layout> layouts() {
    return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.of(2, 4),
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 30).list().ofMaxSize(5), Arbitraries.of(true, false),
        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Layout::new);
  }

  @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
  void theDiffTouchesOnlyTheImageLines(@ForAll("layouts") Layout layout) {
    Statistics.collect(layout.form());
    Statistics.coverage(c -> {
      for (int form = 0; form <= 4; form++) {
        c.check(form).count(n -> n > 0);  // every form is tried, not only the edge cases of the first
      }
    });
    String bad = render(layout, "1.3.0", layout.quoteBad());
    String healthy = render(layout, "1.2.0", layout.quoteHealthy());
    String path = layout.form() == 1 || layout.form() >= 3 ? "kustomization.yaml" : "cart.yaml";
    Declaration b = single(path, bad, CartImages.BAD);
    Declaration h = single(path, healthy, CartImages.HEALTHY);

    ImageEdit.Result r = ImageEdit.restore(bad, b, healthy, h, CartImages.CART,
        ImageRef.parse(CartImages.HEALTHY));

    assertThat(r.refusal()).isNull();
    List<Integer> imageLines = b.fields().values().stream().map(Scalar::line).distinct().toList();
    assertThat(r.changedLines()).isEqualTo(imageLines);
    // outside the changed scalar every character is the bad file's; the restored value is the healthy file's text
    assertThat(r.text()).isEqualTo(healthyValueIn(bad, b, healthy, h));
  }

  private static Declaration single(String path, String text, String image) {
    List<Declaration> found = YamlDeclarations.scan(path, text, CartImages.CART, ImageRef.parse(image))
        .declarations();
    assertThat(found).as(text).hasSize(1);
    return found.get(0);
  }

  private static String healthyValueIn(String bad, Declaration b, String healthy, Declaration h) {
    Scalar now = b.fields().values().iterator().next();
    Scalar then = h.fields().get(b.fields().keySet().iterator().next());
    int[] s = ImageEdit.fullSpan(now);
    int[] t = ImageEdit.fullSpan(then);
    return bad.substring(0, s[0]) + healthy.substring(t[0], t[1]) + bad.substring(s[1]);
  }

  static String render(Layout l, String tag, int quote) {
    String q = quote == 0 ? "" : quote == 1 ? "'" : "\"";
    String value = l.form() == 0 || l.form() >= 3 ? q + CartImages.REPO + ":" + tag + q : q + tag + q;
    String trailing = l.trailing() ? "   # set by CI" : "";
    List<String> lines = new ArrayList<>();
    String i1 = " ".repeat(l.indent());
    switch (l.form()) {
      case 0 -> {
        lines.addAll(List.of("apiVersion: apps/v1", "kind: Deployment", "metadata:", i1 + "name: cart", "spec:",
            i1 + "template:", i1.repeat(2) + "spec:", i1.repeat(3) + "containers:"));
        String item = i1.repeat(3) + "- ";
        String in = i1.repeat(3) + "  ";
        List<String> keys = new ArrayList<>(List.of("image: " + value + trailing));
        List<String> extras = List.of("name: cart", "imagePullPolicy: IfNotPresent");
        keys.addAll(l.extrasFirst() ? 0 : 1, extras);
        for (int k = 0; k < keys.size(); k++) {
          lines.add((k == 0 ? item : in) + keys.get(k));
        }
      }
      case 1 -> {
        lines.addAll(List.of("kind: Kustomization", "resources:", i1 + "- ../base", "images:"));
        if (l.extrasFirst()) {
          lines.addAll(List.of(i1 + "- name: registry.example.com/shop/web", i1 + "  newTag: 4.2.0"));
        }
        lines.addAll(List.of(i1 + "- name: " + CartImages.REPO, i1 + "  newTag: " + value + trailing));
      }
      case 3 -> {
        lines.addAll(List.of("kind: Kustomization", "resources:", i1 + "- ../base", "patches:"));
        String in = i1 + "    ";
        if (l.extrasFirst()) {  // a target: the patch applies to it, whatever the patch's own name
          lines.addAll(List.of(i1 + "- target:", i1 + "    kind: Deployment", i1 + "    name: cart",
              i1 + "  patch: |-"));
        } else {
          lines.add(i1 + "- patch: |-");
        }
        lines.addAll(List.of(in + "apiVersion: apps/v1", in + "kind: Deployment", in + "metadata:",
            in + i1 + "name: " + (l.extrasFirst() ? "not-used" : "cart"), in + "spec:", in + i1 + "template:",
            in + i1.repeat(2) + "spec:", in + i1.repeat(3) + "containers:", in + i1.repeat(3) + "- name: cart",
            in + i1.repeat(3) + "  image: " + value + trailing));
      }
      case 4 -> {
        lines.addAll(List.of("kind: Kustomization", "resources:", i1 + "- ../base", "patches:",
            i1 + "- target:", i1 + "    kind: Deployment", i1 + "    name: cart", i1 + "  patch: |"));
        String in = i1 + "    ";
        if (l.extrasFirst()) {
          lines.addAll(List.of(in + "- op: add", in + "  path: /metadata/labels/rolled", in + "  value: \"yes\""));
        }
        lines.addAll(List.of(in + "- op: replace", in + "  path: /spec/template/spec/containers/0/image",
            in + "  value: " + value + trailing));
      }
      default -> {
        if (l.extrasFirst()) {
          lines.addAll(List.of("replicaCount: 3", "podAnnotations: {}"));
        }
        lines.addAll(List.of("image:", i1 + "pullPolicy: IfNotPresent", i1 + "tag: " + value + trailing));
        lines.add("resources: {}");
      }
    }
    List<Integer> at = new ArrayList<>(l.comments());
    at.sort(null);
    for (int k = at.size() - 1; k >= 0; k--) {
      int pos = Math.min(at.get(k), lines.size());
      // inside a patch's block scalar a comment must keep the block's indentation (it is the patch's comment)
      String indent = l.form() < 3 ? "" : lines.get(pos < lines.size() ? pos : pos - 1).replaceAll("^( *).*", "$1");
      lines.add(pos, indent + "# note " + k);
    }
    String nl = l.crlf() ? "\r\n" : "\n";
    return String.join(nl, lines) + nl;
  }
}
