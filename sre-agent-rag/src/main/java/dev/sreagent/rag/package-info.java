/**
 * Retrieval-augmented diagnosis. Built so far: a BM25 knowledge base on Apache Lucene
 * ({@link dev.sreagent.rag.lucene.LuceneKnowledgeBase}), persisted to a directory, and the translation of an alert
 * into a retrieval query ({@link dev.sreagent.rag.AlertQuery}). Dense embeddings, HNSW and hybrid fusion are the
 * next steps of the diagnosis issue.
 */
@NullMarked
package dev.sreagent.rag;

import org.jspecify.annotations.NullMarked;
