/**
 * Retrieval-augmented diagnosis (ONNX embeddings, HNSW, hybrid retrieval). Not built yet: until then the core's
 * bundled BM25 knowledge base ({@code dev.sreagent.core.knowledge.LexicalKnowledgeBase}) serves diagnosis.
 */
@NullMarked
package dev.sreagent.rag;

import org.jspecify.annotations.NullMarked;
