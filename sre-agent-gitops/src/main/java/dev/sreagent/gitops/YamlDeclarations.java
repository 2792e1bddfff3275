package dev.sreagent.gitops;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
 *   <li>Kustomize inline patches, read as YAML inside their literal block scalar ({@code patch: |}): in
 *       {@code patches:}, a strategic-merge patch of the workload (named by the patch's {@code metadata.name}, or by the
 *       entry's {@code target.name}) whose container has the image, or a JSON 6902 patch whose {@code target} is the
 *       workload with an {@code op: replace} (or {@code add}) of {@code /spec/template/spec/containers/N/image} (or
 *       {@code initContainers}) to the image (the container is then known by index only, so a rollback naming a
 *       container does not filter it); in {@code patchesStrategicMerge:}, an inline strategic-merge patch. Patch
 *       <em>files</em> ({@code path:}, a file name in {@code patchesStrategicMerge:}) are read as the manifests they
 *       look like; a JSON 6902 patch file ({@code patches: - path: ... target: ...}, {@code patchesJson6902:}) is read
 *       through the Kustomization entry that names it and its target, when the scan is given the repository's files
 *       (its path relative to the Kustomization's directory; a file outside the files given is not read), and is
 *       read again at other commits with that target ({@link #rescan}). A patch that sets the image while
 *       the same Kustomization's {@code images:} also has an entry for that image name (which kustomize applies after
 *       the patches) is reported as a {@linkplain Scan#conflicts() conflict} naming both, never edited.
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
   * @param conflicts places that set the image twice with an order the agent does not model (a patch and an
   *     {@code images:} override of the same image name), each naming both; the file must not be edited
   */
  record Scan(List<Declaration> declarations, @Nullable String problem, List<String> conflicts) {
    Scan(List<Declaration> declarations, @Nullable String problem) {
      this(declarations, problem, List.of());
    }

    Scan {
      declarations = List.copyOf(declarations);
      conflicts = List.copyOf(conflicts);
    }
  }

  /**
   * Where an inline patch's text stands in the file: the patch is the content of a block scalar whose first content
   * line is {@code firstLine} (from 0) and whose indentation is {@code indent}, so a position inside the patch maps
   * to one in the file (checked character for character before an edit may use it).
   */
  private record Embedding(String outerText, int firstLine, int indent, boolean literal, String locusPrefix,
      @Nullable String targetName, @Nullable String targetNamespace, @Nullable String targetKind) {}

  private final String path;
  private final String text;
  private final String namespace;
  private final String workload;
  private final @Nullable String container;
  private final ImageRef image;
  private final boolean simpleOffsets;
  private final List<Declaration> found;
  private final List<String> conflicts;
  private final @Nullable Embedding embedding;
  private final Function<String, Optional<String>> fileAt;
  private final Declaration.@Nullable PatchFile patchFile;

  private YamlDeclarations(String path, String text, String namespace, String workload, @Nullable String container,
      ImageRef image, Function<String, Optional<String>> fileAt) {
    this(path, text, namespace, workload, container, image, new ArrayList<>(), new ArrayList<>(), null, fileAt, null);
  }

  private YamlDeclarations(String path, String text, String namespace, String workload, @Nullable String container,
      ImageRef image, List<Declaration> found, List<String> conflicts, @Nullable Embedding embedding,
      Function<String, Optional<String>> fileAt, Declaration.@Nullable PatchFile patchFile) {
    this.fileAt = fileAt;
    this.patchFile = patchFile;
    this.path = path;
    this.text = text;
    this.namespace = namespace;
    this.workload = workload;
    this.container = container;
    this.image = image;
    this.found = found;
    this.conflicts = conflicts;
    this.embedding = embedding;
    String outer = embedding == null ? text : embedding.outerText();
    this.simpleOffsets = outer.length() == outer.codePointCount(0, outer.length())
        && text.length() == text.codePointCount(0, text.length());
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

  /**
   * The declarations of {@code image} for {@code target}'s workload in the file {@code path} holding {@code text}; JSON
   * 6902 patch files its Kustomization entries name are not read (see the overload with the repository's files).
   */
  static Scan scan(String path, String text, ImageRollback target, ImageRef image) {
    return scan(path, text, target, image, p -> Optional.empty());
  }

  /**
   * As {@link #scan(String, String, ImageRollback, ImageRef)}, reading the JSON 6902 patch files a Kustomization names
   * through {@code fileAt} (a repository path to the file's text, empty when not available).
   */
  static Scan scan(String path, String text, ImageRollback target, ImageRef image,
      Function<String, Optional<String>> fileAt) {
    return scan(path, text, target.namespace(), target.workload(), target.container(), image, fileAt);
  }

  /**
   * The same declaration as {@code like} (its file, and for a JSON 6902 patch file the target its Kustomization gave
   * it) in {@code text}, that file's text at another commit or after an edit: the declarations there of {@code image}.
   */
  static Scan rescan(Declaration like, String text, ImageRollback target, ImageRef image) {
    Declaration.PatchFile pf = like.patchFile();
    if (pf == null) {
      return scan(like.path(), text, target, image);
    }
    YamlDeclarations d = new YamlDeclarations(like.path(), text, target.namespace(), target.workload(),
        target.container(), image, new ArrayList<>(), new ArrayList<>(), null, p -> Optional.empty(), pf);
    try {
      d.patchFileOps(text, pf);
    } catch (YAMLException e) {
      return new Scan(d.found, like.path() + " is not valid YAML: " + e.getMessage().lines().findFirst()
          .orElse(e.toString()), d.conflicts);
    }
    return new Scan(d.found, null, d.conflicts);
  }

  /** The declarations of {@code image} for workload {@code namespace/workload} (its {@code container}, when named). */
  static Scan scan(String path, String text, String namespace, String workload, @Nullable String container,
      ImageRef image, Function<String, Optional<String>> fileAt) {
    YamlDeclarations d = new YamlDeclarations(path, text, namespace, workload, container, image, fileAt);
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      for (Node doc : yaml.composeAll(new StringReader(text))) {
        d.document(doc);
      }
    } catch (YAMLException e) {
      return new Scan(d.found, path + " is not valid YAML: " + e.getMessage().lines().findFirst()
          .orElse(e.toString()), d.conflicts);
    }
    return new Scan(d.found, null, d.conflicts);
  }

  private void document(@Nullable Node doc) {
    if (!(doc instanceof MappingNode root)) {
      return;
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    String kind = scalarValue(root, "kind");
    if (embedding != null) {  // inside a patch: only a strategic-merge patch of a workload
      String targetKind = embedding.targetKind();
      String patchKind = kind != null ? kind : targetKind;
      if (patchKind != null && WORKLOAD_KINDS.contains(patchKind)) {
        manifest(root, patchKind);
      }
      return;
    }
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
    if (embedding != null && embedding.targetName() != null) {  // a patch with a target applies to the target
      name = embedding.targetName();
      declaredNamespace = embedding.targetNamespace();
    }
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
            add(embedding == null ? Declaration.Form.MANIFEST : Declaration.Form.KUSTOMIZE_PATCH, kind + " " + name
                + ": spec.template.spec." + list + "[name=" + containerName + "].image", ImageRef.parse(
                img.getValue()), Map.of("image", img));
          }
        }
      }
    }
  }

  private void kustomization(MappingNode root) {
    if (embedding != null) {
      return;  // a patch is not a Kustomization
    }
    int before = found.size();
    inlinePatches(root);
    patchFiles(root);
    List<Declaration> patched = new ArrayList<>(found.subList(before, found.size()));
    if (!(child(root, "images") instanceof SequenceNode images)) {
      return;
    }
    for (Node n : images.getValue()) {
      if (n instanceof MappingNode entry && child(entry, "name") instanceof ScalarNode name) {
        for (Declaration p : patched) {
          if (new ImageRef(name.getValue(), null, null).sameRepository(p.image())) {
            conflicts.add(path + ": " + p.image() + " is set by " + p.describe() + " and overridden by the images"
                + " entry name=" + name.getValue() + " on line " + (name.getStartMark().getLine() + 1) + " (kustomize"
                + " applies images: after the patches): which one the cluster runs depends on both; the agent does"
                + " not edit either; remove one of them, or roll back by hand");
          }
        }
      }
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

  /** The inline patches of {@code patches:} and {@code patchesStrategicMerge:}. */
  private void inlinePatches(MappingNode root) {
    if (child(root, "patches") instanceof SequenceNode patches) {
      for (int i = 0; i < patches.getValue().size(); i++) {
        if (patches.getValue().get(i) instanceof MappingNode entry && child(entry, "patch") instanceof ScalarNode p) {
          MappingNode target = mapping(entry, "target");
          embedded(p, "patches[" + i + "].patch", target);
        }
      }
    }
    if (child(root, "patchesStrategicMerge") instanceof SequenceNode smp) {
      for (int i = 0; i < smp.getValue().size(); i++) {
        if (smp.getValue().get(i) instanceof ScalarNode p && p.getValue().contains("\n")) {  // else a file name
          embedded(p, "patchesStrategicMerge[" + i + "]", null);
        }
      }
    }
  }

  /**
   * The JSON 6902 patch files of {@code patches:} and {@code patchesJson6902:} entries with a {@code path} and a
   * {@code target} (a file holding a strategic-merge patch is read on its own, as a manifest).
   */
  private void patchFiles(MappingNode root) {
    for (String list : List.of("patches", "patchesJson6902")) {
      if (!(child(root, list) instanceof SequenceNode entries)) {
        continue;
      }
      for (int i = 0; i < entries.getValue().size(); i++) {
        if (!(entries.getValue().get(i) instanceof MappingNode entry)) {
          continue;
        }
        String file = scalarValue(entry, "path");
        MappingNode target = mapping(entry, "target");
        String targetName = scalarValue(target, "name");
        String resolved = file == null ? null : resolve(file);
        if (resolved == null || targetName == null) {
          continue;
        }
        Optional<String> patchText = fileAt.apply(resolved);
        if (patchText.isEmpty()) {
          continue;
        }
        Declaration.PatchFile pf = new Declaration.PatchFile(path + " " + list + "[" + i + "] (path: " + file + ")",
            targetName, scalarValue(target, "namespace"), scalarValue(target, "kind"));
        YamlDeclarations inner = new YamlDeclarations(resolved, patchText.get(), namespace, workload, container,
            image, found, conflicts, null, fileAt, pf);
        try {
          inner.patchFileOps(patchText.get(), pf);
        } catch (YAMLException e) {
          // a patch file that is not YAML declares nothing here; kustomize itself will refuse it
        }
      }
    }
  }

  /** {@code file} relative to this Kustomization's directory, or null when it leaves the repository. */
  private @Nullable String resolve(String file) {
    java.nio.file.Path dir = java.nio.file.Path.of(path).getParent();
    java.nio.file.Path p = (dir == null ? java.nio.file.Path.of(file) : dir.resolve(file)).normalize();
    String s = p.toString().replace('\\', '/');
    return p.isAbsolute() || s.startsWith("..") || s.isEmpty() ? null : s;
  }

  /** Reads {@code patchText}, this scan's whole file, as the JSON 6902 operations of {@code pf}'s target. */
  private void patchFileOps(String patchText, Declaration.PatchFile pf) {
    Embedding e = new Embedding(patchText, 0, 0, true, pf.entry(), pf.targetName(), pf.targetNamespace(),
        pf.targetKind());
    YamlDeclarations ops = new YamlDeclarations(path, patchText, namespace, workload, container, image, found,
        conflicts, e, fileAt, pf);
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    for (Node doc : yaml.composeAll(new StringReader(patchText))) {
      if (doc instanceof SequenceNode list) {
        ops.json6902(list);
      }
    }
  }

  /** Scans the YAML inside {@code block} (a patch) as a strategic-merge patch or a JSON 6902 patch. */
  private void embedded(ScalarNode block, String locusPrefix, @Nullable MappingNode target) {
    boolean literal = block.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL;
    int firstLine = block.getStartMark().getLine() + 1;
    int indent = indentOf(text, firstLine);
    Embedding e = new Embedding(text, firstLine, indent, literal, locusPrefix, scalarValue(target, "name"),
        scalarValue(target, "namespace"), scalarValue(target, "kind"));
    YamlDeclarations inner = new YamlDeclarations(path, block.getValue(), namespace, workload, container, image,
        found, conflicts, e, fileAt, null);
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      for (Node doc : yaml.composeAll(new StringReader(block.getValue()))) {
        if (doc instanceof SequenceNode ops) {
          inner.json6902(ops);
        } else {
          inner.document(doc);
        }
      }
    } catch (YAMLException ex) {
      // an inline patch that is not YAML declares nothing here; kustomize itself will refuse it
    }
  }

  private static final java.util.regex.Pattern IMAGE_PATH = java.util.regex.Pattern.compile(
      "/spec/template/spec/(containers|initContainers)/(\\d+)/image");

  /** A JSON 6902 patch (a list of operations) of the embedding's target. */
  private void json6902(SequenceNode ops) {
    Embedding e = java.util.Objects.requireNonNull(embedding);
    boolean ours = workload.equals(e.targetName()) && (e.targetNamespace() == null
        || e.targetNamespace().equals(namespace)) && (e.targetKind() == null || WORKLOAD_KINDS.contains(
        e.targetKind()));
    if (!ours) {
      return;
    }
    for (Node n : ops.getValue()) {
      if (!(n instanceof MappingNode op)) {
        continue;
      }
      String verb = scalarValue(op, "op");
      String at = scalarValue(op, "path");
      ScalarNode value = scalar(op, "value");
      if (("replace".equals(verb) || "add".equals(verb)) && at != null && value != null
          && IMAGE_PATH.matcher(at).matches() && ImageRef.parse(value.getValue()).sameImage(image)) {
        add(Declaration.Form.KUSTOMIZE_PATCH, "JSON 6902 " + verb + " of " + (e.targetKind() == null ? ""
            : e.targetKind() + " ") + e.targetName() + " " + at, ImageRef.parse(value.getValue()),
            Map.of("image", value));
      }
    }
  }

  /** The number of leading spaces of the first non-blank line from line {@code from} (from 0) on. */
  private static int indentOf(String text, int from) {
    List<String> lines = text.lines().toList();
    for (int i = from; i < lines.size(); i++) {
      String l = lines.get(i);
      if (!l.isBlank()) {
        int n = 0;
        while (n < l.length() && l.charAt(n) == ' ') {
          n++;
        }
        return n;
      }
    }
    return 0;
  }

  /** The offset of line {@code line} (from 0) in {@code text}, or -1 when it has fewer lines. */
  private static int lineStart(String text, int line) {
    int at = 0;
    for (int i = 0; i < line; i++) {
      int nl = text.indexOf('\n', at);
      if (nl < 0) {
        return -1;
      }
      at = nl + 1;
    }
    return at;
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
    nodes.forEach((k, v) -> fields.put(k, embedding == null ? scalarOf(v) : embeddedScalarOf(v, embedding)));
    Declaration.Form f = patchFile != null ? Declaration.Form.KUSTOMIZE_PATCH_FILE : form;
    found.add(new Declaration(path, f, embedding == null ? locus : embedding.locusPrefix() + ": " + locus,
        declared, fields, patchFile));
  }

  /** A scalar inside a patch, placed in the file's text: editable only when it maps there character for character. */
  private Scalar embeddedScalarOf(ScalarNode n, Embedding e) {
    int innerLine = n.getStartMark().getLine();
    int line = e.firstLine() + innerLine + 1;
    DumperOptions.ScalarStyle style = n.getScalarStyle();
    char quote = switch (style) {
      case SINGLE_QUOTED -> '\'';
      case DOUBLE_QUOTED -> '"';
      default -> 0;
    };
    boolean oneLine = style == DumperOptions.ScalarStyle.PLAIN || quote != 0;
    int lineAt = lineStart(e.outerText(), e.firstLine() + innerLine);
    if (!e.literal() || !simpleOffsets || !oneLine || n.getEndMark().getLine() != innerLine || lineAt < 0) {
      return new Scalar(n.getValue(), -1, -1, line, quote);
    }
    int start = lineAt + e.indent() + n.getStartMark().getColumn();
    int end = lineAt + e.indent() + n.getEndMark().getColumn();
    if (quote != 0) {
      start++;
      end--;
    }
    if (start > end || end > e.outerText().length() || !e.outerText().substring(start, end).equals(n.getValue())) {
      return new Scalar(n.getValue(), -1, -1, line, quote);
    }
    return new Scalar(n.getValue(), start, end, line, quote);
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
