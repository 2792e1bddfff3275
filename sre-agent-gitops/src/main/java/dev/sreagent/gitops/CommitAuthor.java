package dev.sreagent.gitops;

import dev.sreagent.api.Require;

/**
 * The identity the agent's commits carry as author and committer (from configuration, never from the machine's git
 * configuration).
 *
 * @param name the name, for example {@code sre-agent}
 * @param email the e-mail address, for example {@code sre-agent@example.com}
 */
public record CommitAuthor(String name, String email) {
  /** The author used when none is configured. */
  public static final CommitAuthor DEFAULT = new CommitAuthor("sre-agent", "sre-agent@localhost");

  /** Checks the components. */
  public CommitAuthor {
    Require.notBlank(name, "name");
    Require.notBlank(email, "email");
    if (!email.contains("@") || email.contains("<") || email.contains(">") || email.contains("\n")) {
      throw new IllegalArgumentException("email must be an address such as sre-agent@example.com, but was '"
          + email + "'");
    }
  }
}
