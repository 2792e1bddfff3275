package dev.sreagent.llm;

/** A failed model call; {@link #retryable()} for timeouts, 429 and 5xx. */
public final class LlmException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public LlmException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public LlmException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /** Whether trying again may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
