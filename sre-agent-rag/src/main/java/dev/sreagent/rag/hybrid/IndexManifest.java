package dev.sreagent.rag.hybrid;

import dev.sreagent.api.model.KnowledgeDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a persisted {@link HybridKnowledgeBase} records beside its indexes (the embedding model its vectors were made
 * with, and whether they are per document or per section), and how whole documents are put together again from the
 * stored sections.
 */
final class IndexManifest {
  static final String MODEL = "embedding.model";
  static final String VECTORS = "vectors";

  private IndexManifest() {}

  /** The manifest at {@code file}; empty when there is none (an index from before manifests, or a new one). */
  static Properties read(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (var in = Files.newBufferedReader(file)) {
        p.load(in);
      }
    }
    return p;
  }

  /** Writes the manifest atomically. */
  static void write(Path file, String modelId, @Nullable String vectors) throws IOException {
    Properties p = new Properties();
    p.setProperty(MODEL, modelId);
    if (vectors != null) {
      p.setProperty(VECTORS, vectors);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (var out = Files.newBufferedWriter(tmp)) {
      p.store(out, "the embedding model of the vectors; another model re-embeds the stored documents");
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Stored sections ({@code doc#0}, {@code doc#1}, ...) grouped by their document, in section order. */
  static Map<String, List<KnowledgeDocument>> sectionsByDocument(List<KnowledgeDocument> sections) {
    Map<String, List<KnowledgeDocument>> out = new TreeMap<>();
    for (KnowledgeDocument c : sections) {
      out.computeIfAbsent(c.metadata().getOrDefault("parent", c.id()), k -> new ArrayList<>()).add(c);
    }
    out.values().forEach(cs -> cs.sort(Comparator.comparingInt(IndexManifest::sectionNumber)));
    return out;
  }

  private static int sectionNumber(KnowledgeDocument c) {
    int hash = c.id().lastIndexOf('#');
    try {
      return hash < 0 ? 0 : Integer.parseInt(c.id().substring(hash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The whole document put together from its sections: the document's title and metadata, the sections' texts
   * one after the other (the text as indexed, whitespace between sections aside).
   */
  static KnowledgeDocument whole(String id, List<KnowledgeDocument> sections) {
    KnowledgeDocument first = sections.get(0);
    Map<String, String> meta = new LinkedHashMap<>(first.metadata());
    meta.remove("parent");
    String title = meta.remove("parent-title");
    StringBuilder text = new StringBuilder();
    for (KnowledgeDocument c : sections) {
      text.append(text.length() == 0 ? "" : "\n\n").append(c.text());
    }
    return new KnowledgeDocument(id, title == null ? first.title() : title, text.toString(), meta);
  }
}
