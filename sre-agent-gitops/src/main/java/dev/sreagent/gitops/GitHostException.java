package dev.sreagent.gitops;

/**
 * A Git host refused a call or did not answer: carries the HTTP status (0 when no answer came) and the host's words.
 */
public final class GitHostException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /**
   * An error.
   *
   * @param status the HTTP status, 0 when no answer came
   * @param message what happened, naming the call, the status and the host's message
   * @param cause the cause, or null
   */
  public GitHostException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status, 0 when no answer came. */
  public int status() {
    return status;
  }

  /** Whether the host refused the credentials or their rights (401, 403). */
  public boolean forbidden() {
    return status == 401 || status == 403;
  }
}
