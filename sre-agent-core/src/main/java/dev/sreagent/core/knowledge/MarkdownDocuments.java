package dev.sreagent.core.knowledge;

import dev.sreagent.api.model.KnowledgeDocument;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses Markdown with a simple {@code ---} front-matter block of {@code key: value} lines.
 *
 * <p>Extension point: how runbooks are read, shared with {@code sre-agent-rag}; kept stable (checked by the
 * architecture tests).
 */
public final class MarkdownDocuments {
  private MarkdownDocuments() {}

  /**
   * Parses {@code markdown}; {@code fallbackId} is used when the front matter has no {@code id}.
   *
   * @throws IllegalArgumentException when the front matter is not closed, naming the source
   */
  public static KnowledgeDocument parse(String markdown, String fallbackId) {
    String text = markdown.replace("\r\n", "\n");
    Map<String, String> meta = new LinkedHashMap<>();
    if (text.startsWith("---\n")) {
      int end = text.indexOf("\n---\n", 4);
      if (end < 0) {
        throw new IllegalArgumentException(fallbackId + ": front matter starts with '---' but is never closed");
      }
      for (String line : text.substring(4, end).split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          meta.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
      }
      text = text.substring(end + 5);
    }
    String id = meta.getOrDefault("id", fallbackId);
    String title = meta.get("title");
    if (title == null) {
      title = text.lines().filter(l -> l.startsWith("# ")).map(l -> l.substring(2).trim()).findFirst().orElse(id);
    }
    meta.remove("id");
    meta.remove("title");
    return new KnowledgeDocument(id, title, text.strip(), meta);
  }
}
