package dev.sreagent.rag.lucene;

import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.testkit.contract.KnowledgeBaseContract;

/** The Lucene BM25 knowledge base keeps the knowledge-base contract. */
class LuceneKnowledgeBaseContractTest extends KnowledgeBaseContract {
  @Override
  protected KnowledgeBase create() {
    return LuceneKnowledgeBase.inMemory();
  }
}
