/**
 * Language-model reasoners: {@link dev.sreagent.llm.LlmReasoner} asks a model (Anthropic Messages API, OpenAI Chat
 * Completions API, or a local Ollama) for a structured JSON diagnosis, after {@link dev.sreagent.llm.Redactor}
 * removed secrets and personal data from everything sent; the answer is parsed strictly and checked by
 * {@link dev.sreagent.llm.DiagnosisValidator} against the evidence; on any failure the configured offline reasoner
 * answers. Plain HTTP with the JDK client; no provider SDK.
 */
@NullMarked
package dev.sreagent.llm;

import org.jspecify.annotations.NullMarked;
