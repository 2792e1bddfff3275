/** The agent's knowledge base: Lucene BM25 and sentence embeddings, fused and reranked; its SPI provider. */
@NullMarked
package dev.sreagent.rag.hybrid;

import org.jspecify.annotations.NullMarked;
