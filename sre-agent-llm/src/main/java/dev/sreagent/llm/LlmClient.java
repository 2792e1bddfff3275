package dev.sreagent.llm;

/**
 * One chat-style call to a language model: a system prompt and a user message in, text and token counts out.
 * Implementations: {@link #anthropic}, {@link #openAi}, {@link #ollama}.
 */
public interface LlmClient {
  /**
   * A request.
   *
   * @param system the system prompt
   * @param user the user message
   * @param maxTokens the answer's token budget
   */
  record Request(String system, String user, int maxTokens) {}

  /**
   * An answer.
   *
   * @param text the model's text
   * @param model the model that answered
   * @param inputTokens prompt tokens as the provider counted them
   * @param outputTokens completion tokens as the provider counted them
   */
  record Completion(String text, String model, long inputTokens, long outputTokens) {}

  /** Calls the model once (no retries here: the reasoner retries). */
  Completion complete(Request request) throws LlmException;

  /** The model name, for accounting. */
  String model();

  /** The Anthropic Messages API ({@code POST {baseUrl}/v1/messages}, e.g. https://api.anthropic.com). */
  static LlmClient anthropic(String baseUrl, String apiKey, String model, java.time.Duration timeout) {
    return new HttpLlmClient(HttpLlmClient.Api.ANTHROPIC, baseUrl, apiKey, model, timeout);
  }

  /** The OpenAI Chat Completions API ({@code POST {baseUrl}/v1/chat/completions}, e.g. https://api.openai.com). */
  static LlmClient openAi(String baseUrl, String apiKey, String model, java.time.Duration timeout) {
    return new HttpLlmClient(HttpLlmClient.Api.OPENAI, baseUrl, apiKey, model, timeout);
  }

  /** A local Ollama ({@code POST {baseUrl}/api/chat}, e.g. http://127.0.0.1:11434); no key. */
  static LlmClient ollama(String baseUrl, String model, java.time.Duration timeout) {
    return new HttpLlmClient(HttpLlmClient.Api.OLLAMA, baseUrl, "", model, timeout);
  }
}
