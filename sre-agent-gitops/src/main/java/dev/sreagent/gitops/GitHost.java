package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Git host that holds the config repository (GitHub, GitLab, ...): its pull requests. A pull request is the form a
 * GitOps rollback takes, so humans review it and the host's required checks run on it; in ASSIST the approval is the
 * merge. Implementations answer failures with {@link GitHostException}, which names the host's HTTP status.
 */
public interface GitHost {
  /** The host's name in messages, for example {@code github.com/shop/config}. */
  String describe();

  /** Opens a pull request of {@code request.headBranch()} into {@code request.baseBranch()}. */
  PullRequest open(PullRequestRequest request);

  /** The pull request (open, merged or closed) whose head is {@code headBranch}, newest first when several. */
  Optional<PullRequest> findByHead(String headBranch);

  /** The combined state of the checks on commit {@code sha}. */
  ChecksState checks(String sha);

  /**
   * Merges pull request {@code number} if its head is still {@code expectedHeadSha} (the host refuses otherwise).
   *
   * @return the pull request after the merge
   */
  PullRequest merge(long number, String expectedHeadSha);

  /** The state of a commit's checks. */
  enum ChecksState {
    /** Every check passed. */
    SUCCESS,
    /** Some are still running, or none reported yet. */
    PENDING,
    /** Some failed or errored. */
    FAILURE
  }

  /**
   * A pull request as the host reports it.
   *
   * @param number its number
   * @param url its web address
   * @param headBranch the branch it merges
   * @param headSha the commit at the head of that branch, as the host sees it
   * @param state open, merged or closed
   */
  record PullRequest(long number, String url, String headBranch, String headSha, State state) {
    /** The states of a pull request. */
    public enum State {
      /** Open for review. */
      OPEN,
      /** Merged. */
      MERGED,
      /** Closed without a merge. */
      CLOSED
    }

    /** Checks the components. */
    public PullRequest {
      Require.notBlank(url, "url");
      Require.notBlank(headBranch, "headBranch");
      Require.notBlank(headSha, "headSha");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * What to open.
   *
   * @param title the title
   * @param body the description (Markdown)
   * @param headBranch the branch with the change
   * @param baseBranch the branch to merge into
   * @param labels labels to put on it
   */
  record PullRequestRequest(String title, String body, String headBranch, String baseBranch, List<String> labels) {
    /** Checks the components. */
    public PullRequestRequest {
      Require.notBlank(title, "title");
      Objects.requireNonNull(body, "body");
      Require.notBlank(headBranch, "headBranch");
      Require.notBlank(baseBranch, "baseBranch");
      labels = List.copyOf(labels);
    }
  }
}
