/** Adapter: sentence embeddings with ONNX Runtime and DJL's HuggingFace tokenizer, offline. */
@NullMarked
package dev.sreagent.rag.onnx;

import org.jspecify.annotations.NullMarked;
