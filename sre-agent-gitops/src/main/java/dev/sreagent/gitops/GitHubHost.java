package dev.sreagent.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.Require;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link GitHost} on the GitHub REST API (v3, {@code X-GitHub-Api-Version: 2022-11-28}) over the JDK's HTTP client:
 * {@code POST /repos/{owner}/{repo}/pulls}, {@code POST /repos/{owner}/{repo}/issues/{n}/labels},
 * {@code GET /repos/{owner}/{repo}/pulls?head={owner}:{branch}&state=all},
 * {@code GET /repos/{owner}/{repo}/commits/{sha}/status} (the combined status of the commit; GitHub answers pending
 * while no status is reported, and check runs of GitHub Apps are not part of it) and
 * {@code PUT /repos/{owner}/{repo}/pulls/{n}/merge} with the expected head {@code sha}. The token is read from the
 * environment variable named in the configuration; it needs "pull requests: write" and "contents: write" (to push).
 */
public final class GitHubHost implements GitHost {
  /** GitHub's API address, unless set (GitHub Enterprise: {@code https://HOST/api/v3}). */
  public static final String DEFAULT_API_URL = "https://api.github.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String api;
  private final String owner;
  private final String repository;
  private final String token;
  private final Duration timeout;

  private GitHubHost(Builder b, String token) {
    this.api = b.apiUrl.endsWith("/") ? b.apiUrl.substring(0, b.apiUrl.length() - 1) : b.apiUrl;
    String[] parts = Objects.requireNonNull(b.repository).split("/");
    this.owner = parts[0];
    this.repository = parts[1];
    this.token = token;
    this.timeout = b.timeout;
    this.http = HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A builder; {@link Builder#setRepository} and {@link Builder#setTokenVariable} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String describe() {
    return "GitHub " + owner + "/" + repository + " (" + api + ")";
  }

  @Override
  public PullRequest open(PullRequestRequest request) {
    ObjectNode body = JSON.createObjectNode().put("title", request.title()).put("head", request.headBranch())
        .put("base", request.baseBranch()).put("body", request.body());
    JsonNode created = call("POST", repo("/pulls"), body, "open a pull request of " + request.headBranch());
    PullRequest pr = pullRequest(created);
    if (!request.labels().isEmpty()) {
      ObjectNode labels = JSON.createObjectNode();
      request.labels().forEach(labels.putArray("labels")::add);
      call("POST", repo("/issues/" + pr.number() + "/labels"), labels, "label pull request #" + pr.number());
    }
    return pr;
  }

  @Override
  public Optional<PullRequest> findByHead(String headBranch) {
    JsonNode list = call("GET", repo("/pulls?state=all&sort=created&direction=desc&head="
        + URLEncoder.encode(owner + ":" + headBranch, StandardCharsets.UTF_8)), null,
        "find the pull request of " + headBranch);
    for (JsonNode pr : list) {
      if (headBranch.equals(pr.path("head").path("ref").asText())) {
        return Optional.of(pullRequest(pr));
      }
    }
    return Optional.empty();
  }

  @Override
  public ChecksState checks(String sha) {
    JsonNode status = call("GET", repo("/commits/" + sha + "/status"), null, "read the checks of " + sha);
    return switch (status.path("state").asText("pending").toLowerCase(Locale.ROOT)) {
      case "success" -> ChecksState.SUCCESS;
      case "failure", "error" -> ChecksState.FAILURE;
      default -> ChecksState.PENDING;
    };
  }

  @Override
  public PullRequest merge(long number, String expectedHeadSha) {
    ObjectNode body = JSON.createObjectNode().put("sha", expectedHeadSha).put("merge_method", "merge");
    call("PUT", repo("/pulls/" + number + "/merge"), body, "merge pull request #" + number);
    return pullRequest(call("GET", repo("/pulls/" + number), null, "read pull request #" + number));
  }

  private String repo(String path) {
    return api + "/repos/" + owner + "/" + repository + path;
  }

  private JsonNode call(String method, String url, @Nullable JsonNode body, String what) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28")
        .header("Authorization", "Bearer " + token).header("User-Agent", "sre-agent");
    if (body == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      req.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new GitHostException(0, describe() + ": could not " + what + ": no answer (" + e + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitHostException(0, describe() + ": interrupted while trying to " + what, e);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String message = message(response.body());
      String hint = status == 401 || status == 403 ? " (the token lacks the rights for this: it needs pull requests"
          + " and contents write access on " + owner + "/" + repository + ")" : "";
      throw new GitHostException(status, describe() + ": could not " + what + ": HTTP " + status + " " + message + hint,
          null);
    }
    try {
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new GitHostException(status, describe() + ": could not " + what + ": the answer is not JSON", e);
    }
  }

  private static String message(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n.path("message").asText(body);
    } catch (IOException e) {
      return body.length() > 200 ? body.substring(0, 200) : body;
    }
  }

  private static PullRequest pullRequest(JsonNode pr) {
    boolean merged = pr.path("merged").asBoolean(false) || (pr.hasNonNull("merged_at"));
    PullRequest.State state = merged ? PullRequest.State.MERGED
        : "open".equals(pr.path("state").asText()) ? PullRequest.State.OPEN : PullRequest.State.CLOSED;
    return new PullRequest(pr.path("number").asLong(), pr.path("html_url").asText(), pr.path("head").path("ref")
        .asText(), pr.path("head").path("sha").asText(), state);
  }

  /** Builds a {@link GitHubHost}. */
  public static final class Builder {
    private String apiUrl = DEFAULT_API_URL;
    private @Nullable String repository;
    private @Nullable String tokenVariable;
    private Duration timeout = Duration.ofSeconds(30);
    private Function<String, @Nullable String> environment = System::getenv;

    private Builder() {}

    /** The API address (default {@value GitHubHost#DEFAULT_API_URL}). */
    public Builder setApiUrl(String apiUrl) {
      Require.notBlank(apiUrl, "apiUrl");
      if (!apiUrl.startsWith("https://") && !apiUrl.startsWith("http://")) {
        throw new IllegalArgumentException("apiUrl must be an http(s) URL, but was '" + apiUrl + "'");
      }
      this.apiUrl = apiUrl;
      return this;
    }

    /** The repository, {@code owner/name} (required). */
    public Builder setRepository(String repository) {
      Require.notBlank(repository, "repository");
      if (!repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("repository must be owner/name, such as shop/config, but was '"
            + repository + "'");
      }
      this.repository = repository;
      return this;
    }

    /** The environment variable holding the token (required; read at {@link #build()}). */
    public Builder setTokenVariable(String tokenVariable) {
      this.tokenVariable = Require.notBlank(tokenVariable, "tokenVariable");
      return this;
    }

    /** Connect and request timeout (default 30 s). */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Require.positive(timeout, "timeout");
      return this;
    }

    /**
     * Where the token variable is looked up (default {@link System#getenv(String)}): a secret store's lookup, or a
     * test's map. The token is still read once, at {@code build()}.
     */
    public Builder setEnvironment(Function<String, @Nullable String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * The host.
     *
     * @throws IllegalStateException when the repository or token variable is missing, or the variable is unset
     */
    public GitHubHost build() {
      if (repository == null || tokenVariable == null) {
        throw new IllegalStateException("GitHubHost needs" + (repository == null ? " setRepository(owner/name)" : "")
            + (tokenVariable == null ? " setTokenVariable(name)" : ""));
      }
      String token = environment.apply(tokenVariable);
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("environment variable " + tokenVariable + " (setTokenVariable) is not set:"
            + " export a GitHub token for " + repository + " in it");
      }
      return new GitHubHost(this, token.strip());
    }
  }
}
