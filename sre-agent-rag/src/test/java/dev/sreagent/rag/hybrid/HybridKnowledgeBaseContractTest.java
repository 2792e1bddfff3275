package dev.sreagent.rag.hybrid;

import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.rag.onnx.OnnxEmbedder;
import dev.sreagent.testkit.contract.KnowledgeBaseContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The hybrid knowledge base keeps the knowledge-base contract, with the real embedding model. */
class HybridKnowledgeBaseContractTest extends KnowledgeBaseContract {
  private static OnnxEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = OnnxEmbedder.allMiniLmL6V2();
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Override
  protected KnowledgeBase create() {
    return HybridKnowledgeBase.inMemory(embedder);
  }
}
