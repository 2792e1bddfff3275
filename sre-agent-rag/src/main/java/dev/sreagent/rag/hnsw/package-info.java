/** The vector index: hnswlib-java HNSW graphs with an exact scan for small corpora. */
@NullMarked
package dev.sreagent.rag.hnsw;

import org.jspecify.annotations.NullMarked;
