package dev.sreagent.rag.hybrid;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.spi.KnowledgeBaseProvider;
import dev.sreagent.core.knowledge.LexicalKnowledgeBase;
import dev.sreagent.core.knowledge.MarkdownDocuments;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code sre-agent.knowledge-base = hybrid} (and the default whenever {@code sre-agent-rag} is on the class path): a
 * {@link HybridKnowledgeBase} with the bundled runbooks, the bge-small-en-v1.5 embedder (int8) and, optionally, the
 * user's own Markdown. Keys:
 * <pre>
 * knowledge.dir = /var/lib/sre-agent/knowledge   # persist (default: in memory); vectors of another model found
 *                                                 # there are made again from the stored documents
 * knowledge.import = /etc/sre-agent/runbooks     # a directory of .md files (front matter: id, title,
 *                                                 # incident-types, services, kind), ingested at start
 * knowledge.embedding = bge                       # a model shipped as a Maven artifact: bge (bge-small-en-v1.5,
 *                                                 # the default) or minilm (all-MiniLM-L6-v2, the default until
 *                                                 # 2026-12); e5 (e5-small-v2) once its artifact is added
 * knowledge.model = /models/model.onnx            # or another sentence-transformers ONNX export (mean pooling, with
 * knowledge.tokenizer = /models/tokenizer.json    # its tokenizer.json)
 * knowledge.threads = 1
 * knowledge.reranker.model = /models/ms-marco-MiniLM-L-6-v2.onnx   # a cross-encoder export (optional; none ships
 * knowledge.reranker.tokenizer = /models/reranker-tokenizer.json    # with the SDK) reranks the fused results
 * </pre>
 */
public final class HybridKnowledgeBaseProvider implements KnowledgeBaseProvider {
  @Override
  public String name() {
    return "hybrid";
  }

  @Override
  public KnowledgeBase create(ConfigView config) {
    List<String> problems = new ArrayList<>();
    int threads = 1;
    try {
      threads = Integer.parseInt(config.get("knowledge.threads", "1"));
    } catch (NumberFormatException e) {
      problems.add("knowledge.threads must be a whole number, but was '" + config.get("knowledge.threads", "") + "'");
    }
    String model = config.get("knowledge.model", "");
    String tokenizer = config.get("knowledge.tokenizer", "");
    if (model.isEmpty() != tokenizer.isEmpty()) {
      problems.add("knowledge.model and knowledge.tokenizer go together (an ONNX export and its tokenizer.json)");
    }
    String embedding = config.get("knowledge.embedding", "");
    OnnxEmbedder.Model bundled = OnnxEmbedder.Model.DEFAULT;
    if (!embedding.isEmpty()) {
      if (!model.isEmpty()) {
        problems.add("knowledge.embedding and knowledge.model exclude each other: name a bundled model or give an"
            + " ONNX export, not both");
      }
      try {
        bundled = OnnxEmbedder.Model.named(embedding);
      } catch (IllegalArgumentException e) {
        problems.add("knowledge.embedding must be bge, minilm or e5, but was '" + embedding + "'");
      }
    }
    String rerankerModel = config.get("knowledge.reranker.model", "");
    String rerankerTokenizer = config.get("knowledge.reranker.tokenizer", "");
    if (rerankerModel.isEmpty() != rerankerTokenizer.isEmpty()) {
      problems.add("knowledge.reranker.model and knowledge.reranker.tokenizer go together (a cross-encoder ONNX"
          + " export and its tokenizer.json)");
    }
    String importDir = config.get("knowledge.import", "");
    if (!importDir.isEmpty() && !Files.isDirectory(Path.of(importDir))) {
      problems.add("knowledge.import must be a directory of Markdown runbooks, but " + importDir + " is not one");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    OnnxEmbedder embedder;
    try {
      embedder = model.isEmpty() ? OnnxEmbedder.of(bundled, threads)
          : OnnxEmbedder.fromFiles(Path.of(model), Path.of(tokenizer), threads);
    } catch (IllegalStateException e) {
      throw new ConfigurationException("knowledge.embedding: " + e.getMessage());
    }
    String dir = config.get("knowledge.dir", "");
    HybridKnowledgeBase kb = dir.isEmpty() ? HybridKnowledgeBase.inMemory(embedder)
        : HybridKnowledgeBase.open(Path.of(dir), embedder);
    if (!rerankerModel.isEmpty()) {
      kb.withCrossEncoder(dev.sreagent.rag.onnx.OnnxCrossEncoder.fromFiles(Path.of(rerankerModel),
          Path.of(rerankerTokenizer), threads));
    }
    List<KnowledgeDocument> docs = new ArrayList<>(LexicalKnowledgeBase.bundledRunbooks());
    if (!importDir.isEmpty()) {
      docs.addAll(readMarkdown(Path.of(importDir)));
    }
    kb.upsertAll(docs);
    return kb;
  }

  /** Every {@code .md} file under {@code dir}; the file name (without .md) is the id when the front matter has none. */
  static List<KnowledgeDocument> readMarkdown(Path dir) {
    List<KnowledgeDocument> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        String name = f.getFileName().toString();
        out.add(MarkdownDocuments.parse(Files.readString(f, StandardCharsets.UTF_8),
            name.substring(0, name.length() - 3)));
      }
    } catch (IOException e) {
      throw new ConfigurationException("knowledge.import: cannot read " + dir + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("knowledge.import: " + e.getMessage());
    }
    return out;
  }
}
