/** Adapter: the knowledge base on Apache Lucene (BM25). */
@NullMarked
package dev.sreagent.rag.lucene;

import org.jspecify.annotations.NullMarked;
