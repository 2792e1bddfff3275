package dev.sreagent.gitops;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds where one YAML file declares a given image for a workload. It reads the file with SnakeYAML's composer (nodes
 * with their positions, no object construction), so it sees what a YAML reader sees, and records each declaring scalar
 * with the characters that hold it, so an edit can replace exactly those.
 *
 * <ul>
 *   <li>Manifests (and strategic-merge patches, which have the same shape): a Deployment, StatefulSet or DaemonSet
 *       named as the workload (and in its namespace, when the document names one) whose
 *       {@code spec.template.spec.containers[]} or {@code initContainers[]} entry (the named container, when one is
 *       named) has that {@code image}.
 *   <li>Kustomize: an entry of {@code images:} in a {@code kustomization.yaml} (or a document of kind Kustomization)
 *       whose {@code newName} (else {@code name}) with its {@code newTag} or {@code digest} is that image. Which
 *       workloads an override reaches is not rendered here: two overrides of the image are an ambiguity.
 *   <li>Helm values (any other YAML mapping outside a chart's {@code templates/} and {@code Chart.yaml}): a mapping with
 *       {@code repository} and {@code tag} (and {@code registry}, {@code digest} when set) that make the image, at any
 *       depth ({@code image.repository}, {@code cart.image.repository}); a scalar {@code image: repo:tag}; and a
 *       mapping {@code image} with a {@code tag} alone (the repository left to the chart) when the tag is the image's
 *       and the mapping is the top-level {@code image} or sits under a key naming the workload or the container.
 * </ul>
 */
final class YamlDeclarations {
  static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");
  static final Set<String> KUSTOMIZATION_FILES = Set.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  /**
   * What a file declares.
   *
   * @param declarations the declarations of the image found
   * @param problem why the file could not be read as YAML, or null
   */
  record Scan(List<Declaration> declarations, @Nullable String problem) {}

  private final String path;
  private final String text;
  private final String namespace;
  private final String workload;
  private final @Nullable String container;
  private final ImageRef image;
  private final boolean simpleOffsets;
  private final List<Declaration> found = new ArrayList<>();

  private YamlDeclarations(String path, String text, String namespace, String workload, @Nullable String container,
      ImageRef image) {
    this.path = path;
    this.text = text;
    this.namespace = namespace;
    this.workload = workload;
    this.container = container;
    this.image = image;
    this.simpleOffsets = text.length() == text.codePointCount(0, text.length());
  }

  /** Whether {@code path} is a file this scan reads (YAML, outside a chart's templates). */
  static boolean candidate(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (KUSTOMIZATION_FILES.contains(name)) {
      return true;
    }
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    boolean chartMeta = name.equals("Chart.yaml") || name.equals("Chart.lock");
    boolean template = path.startsWith("templates/") || path.contains("/templates/");
    return yaml && !chartMeta && !template;
  }

  /** The declarations of {@code image} for {@code target}'s workload in the file {@code path} holding {@code text}. */
  static Scan scan(String path, String text, ImageRollback target, ImageRef image) {
    return scan(path, text, target.namespace(), target.workload(), target.container(), image);
  }

  /** The declarations of {@code image} for workload {@code namespace/workload} (its {@code container}, when named). */
  static Scan scan(String path, String text, String namespace, String workload, @Nullable String container,
      ImageRef image) {
    YamlDeclarations d = new YamlDeclarations(path, text, namespace, workload, container, image);
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      for (Node doc : yaml.composeAll(new StringReader(text))) {
        d.document(doc);
      }
    } catch (YAMLException e) {
      return new Scan(List.copyOf(d.found), path + " is not valid YAML: " + e.getMessage().lines().findFirst()
          .orElse(e.toString()));
    }
    return new Scan(List.copyOf(d.found), null);
  }

  private void document(@Nullable Node doc) {
    if (!(doc instanceof MappingNode root)) {
      return;
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    String kind = scalarValue(root, "kind");
    if (kind != null && WORKLOAD_KINDS.contains(kind)) {
      manifest(root, kind);
    } else if ("Kustomization".equals(kind) || KUSTOMIZATION_FILES.contains(name)) {
      kustomization(root);
    } else if (kind == null && scalarValue(root, "apiVersion") == null) {
      values(root, new ArrayList<>());
    }
  }

  private void manifest(MappingNode root, String kind) {
    MappingNode metadata = mapping(root, "metadata");
    String name = metadata == null ? null : scalarValue(metadata, "name");
    String declaredNamespace = metadata == null ? null : scalarValue(metadata, "namespace");
    if (!workload.equals(name) || (declaredNamespace != null && !declaredNamespace.equals(namespace))) {
      return;
    }
    MappingNode podSpec = mapping(mapping(mapping(root, "spec"), "template"), "spec");
    for (String list : List.of("initContainers", "containers")) {
      if (podSpec != null && child(podSpec, list) instanceof SequenceNode containers) {
        for (Node c : containers.getValue()) {
          if (!(c instanceof MappingNode entry)) {
            continue;
          }
          String containerName = scalarValue(entry, "name");
          ScalarNode img = scalar(entry, "image");
          if (img == null || (container != null && !container.equals(containerName))) {
            continue;
          }
          if (ImageRef.parse(img.getValue()).sameImage(image)) {
            add(Declaration.Form.MANIFEST, kind + " " + name + ": spec.template.spec." + list + "[name="
                + containerName + "].image", ImageRef.parse(img.getValue()), Map.of("image", img));
          }
        }
      }
    }
  }

  private void kustomization(MappingNode root) {
    if (!(child(root, "images") instanceof SequenceNode images)) {
      return;
    }
    for (Node n : images.getValue()) {
      if (!(n instanceof MappingNode entry)) {
        continue;
      }
      String name = scalarValue(entry, "name");
      ScalarNode newName = scalar(entry, "newName");
      ScalarNode newTag = scalar(entry, "newTag");
      ScalarNode digest = scalar(entry, "digest");
      if (name == null || (newTag == null && digest == null)) {
        continue;
      }
      ImageRef declared = new ImageRef(newName != null ? newName.getValue() : name,
          newTag == null ? null : newTag.getValue(), digest == null ? null : digest.getValue());
      if (declared.sameImage(image)) {
        Map<String, ScalarNode> fields = new LinkedHashMap<>();
        putIfPresent(fields, "newName", newName);
        putIfPresent(fields, "newTag", newTag);
        putIfPresent(fields, "digest", digest);
        add(Declaration.Form.KUSTOMIZE_IMAGES, "images[name=" + name + "]", declared, fields);
      }
    }
  }

  private void values(Node node, List<String> keys) {
    if (node instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        List<String> next = new ArrayList<>(keys);
        next.add("[" + i + "]");
        values(seq.getValue().get(i), next);
      }
      return;
    }
    if (!(node instanceof MappingNode map)) {
      return;
    }
    ScalarNode tag = scalar(map, "tag");
    ScalarNode repository = scalar(map, "repository");
    String at = keys.isEmpty() ? "(top level)" : String.join(".", keys).replace(".[", "[");
    if (tag != null && repository != null) {
      ScalarNode registry = nonBlank(scalar(map, "registry"));
      ScalarNode digest = nonBlank(scalar(map, "digest"));
      ImageRef declared = new ImageRef((registry == null ? "" : registry.getValue() + "/") + repository.getValue(),
          tag.getValue().isBlank() ? null : tag.getValue(), digest == null ? null : digest.getValue());
      if (declared.sameImage(image)) {
        Map<String, ScalarNode> fields = new LinkedHashMap<>();
        putIfPresent(fields, "registry", registry);
        fields.put("repository", repository);
        fields.put("tag", tag);
        putIfPresent(fields, "digest", digest);
        add(Declaration.Form.HELM_VALUES, at + " {" + String.join(", ", fields.keySet()) + "}", declared, fields);
      }
    } else if (tag != null && image.tag() != null && image.tag().equals(tag.getValue()) && tagAloneIsOurs(keys)) {
      add(Declaration.Form.HELM_VALUES, at + ".tag (repository from the chart)", new ImageRef(image.repository(),
          tag.getValue(), null), Map.of("tag", tag));
    }
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        continue;
      }
      if ("image".equals(key.getValue()) && t.getValueNode() instanceof ScalarNode img
          && ImageRef.parse(img.getValue()).sameImage(image)) {
        add(Declaration.Form.HELM_VALUES, keys.isEmpty() ? "image" : at + ".image", ImageRef.parse(img.getValue()),
            Map.of("image", img));
      }
      List<String> next = new ArrayList<>(keys);
      next.add(key.getValue());
      values(t.getValueNode(), next);
    }
  }

  /** A tag without a repository is this image's only as the top-level {@code image} or under the workload's key. */
  private boolean tagAloneIsOurs(List<String> keys) {
    if (keys.isEmpty() || !keys.get(keys.size() - 1).equals("image")) {
      return false;
    }
    return keys.size() == 1 || keys.contains(workload)
        || (container != null && keys.contains(container));
  }

  private void add(Declaration.Form form, String locus, ImageRef declared, Map<String, ScalarNode> nodes) {
    Map<String, Scalar> fields = new LinkedHashMap<>();
    nodes.forEach((k, v) -> fields.put(k, scalarOf(v)));
    found.add(new Declaration(path, form, locus, declared, fields));
  }

  private Scalar scalarOf(ScalarNode n) {
    int line = n.getStartMark().getLine() + 1;
    int start = offset(n.getStartMark().getIndex());
    int end = offset(n.getEndMark().getIndex());
    DumperOptions.ScalarStyle style = n.getScalarStyle();
    char quote = switch (style) {
      case SINGLE_QUOTED -> '\'';
      case DOUBLE_QUOTED -> '"';
      default -> 0;
    };
    boolean literal = style == DumperOptions.ScalarStyle.PLAIN || quote != 0;
    if (quote != 0) {
      start++;
      end--;
    }
    if (!literal || start > end || end > text.length() || !text.substring(start, end).equals(n.getValue())) {
      return new Scalar(n.getValue(), -1, -1, line, quote);
    }
    return new Scalar(n.getValue(), start, end, line, quote);
  }

  private int offset(int codePointIndex) {
    return simpleOffsets ? codePointIndex : text.offsetByCodePoints(0, codePointIndex);
  }

  private static void putIfPresent(Map<String, ScalarNode> fields, String key, @Nullable ScalarNode node) {
    if (node != null) {
      fields.put(key, node);
    }
  }

  private static @Nullable ScalarNode nonBlank(@Nullable ScalarNode n) {
    return n == null || n.getValue().isBlank() ? null : n;
  }

  private static @Nullable Node child(@Nullable MappingNode map, String key) {
    if (map == null) {
      return null;
    }
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  private static @Nullable MappingNode mapping(@Nullable MappingNode map, String key) {
    return child(map, key) instanceof MappingNode m ? m : null;
  }

  private static @Nullable ScalarNode scalar(@Nullable MappingNode map, String key) {
    return child(map, key) instanceof ScalarNode s ? s : null;
  }

  private static @Nullable String scalarValue(@Nullable MappingNode map, String key) {
    ScalarNode s = scalar(map, key);
    return s == null ? null : s.getValue();
  }
}
