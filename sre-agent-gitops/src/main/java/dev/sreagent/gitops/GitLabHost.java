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
 * {@link GitHost} on the GitLab REST API v4 (gitlab.com or a self-managed instance) over the JDK's HTTP client. A
 * pull request is a <em>merge request</em>, numbered by its project-scoped {@code iid}:
 * <ul>
 *   <li>{@code POST /projects/{id}/merge_requests} with {@code source_branch}, {@code target_branch}, {@code title},
 *       {@code description} and {@code labels} (comma-separated);</li>
 *   <li>{@code GET /projects/{id}/merge_requests?source_branch=...&state=all&order_by=created_at&sort=desc};</li>
 *   <li>{@code GET /projects/{id}/pipelines?sha=...&order_by=id&sort=desc&per_page=1}: the newest pipeline of the
 *       commit is its checks ({@code success} passed; {@code failed} and {@code canceled} failed; anything else, or no
 *       pipeline at all, pending — so a project without CI never gets an auto-merge);</li>
 *   <li>{@code PUT /projects/{id}/merge_requests/{iid}/merge} with {@code sha} = the expected head (GitLab answers 409
 *       when the source branch moved).</li>
 * </ul>
 * The project {@code id} is its full path, URL-encoded ({@code group/sub/config} → {@code group%2Fsub%2Fconfig}). The
 * token (a personal, group or project access token with the {@code api} scope, role Developer or above; Maintainer
 * where the target branch is protected against Developer merges) is sent in the {@code PRIVATE-TOKEN} header and read
 * from the environment variable named in the configuration; it never appears in messages.
 */
public final class GitLabHost implements GitHost {
  /** gitlab.com, unless set (self-managed: {@code https://gitlab.example.com}). */
  public static final String DEFAULT_URL = "https://gitlab.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String api;
  private final String project;
  private final String encodedProject;
  private final String tokenVariable;
  private final String token;
  private final Duration timeout;

  private GitLabHost(Builder b, String token) {
    String url = b.url.endsWith("/") ? b.url.substring(0, b.url.length() - 1) : b.url;
    this.api = url + "/api/v4";
    this.project = Objects.requireNonNull(b.project);
    this.encodedProject = URLEncoder.encode(project, StandardCharsets.UTF_8);
    this.tokenVariable = Objects.requireNonNull(b.tokenVariable);
    this.token = token;
    this.timeout = b.timeout;
    this.http = HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A builder; {@link Builder#setProject} and {@link Builder#setTokenVariable} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String describe() {
    return "GitLab " + project + " (" + api + ")";
  }

  @Override
  public PullRequest open(PullRequestRequest request) {
    ObjectNode body = JSON.createObjectNode().put("source_branch", request.headBranch())
        .put("target_branch", request.baseBranch()).put("title", request.title())
        .put("description", request.body());
    if (!request.labels().isEmpty()) {
      body.put("labels", String.join(",", request.labels()));
    }
    return mergeRequest(call("POST", project("/merge_requests"), body,
        "open a merge request of " + request.headBranch()));
  }

  @Override
  public Optional<PullRequest> findByHead(String headBranch) {
    Require.notBlank(headBranch, "headBranch");
    JsonNode list = call("GET", project("/merge_requests?state=all&order_by=created_at&sort=desc&source_branch="
        + URLEncoder.encode(headBranch, StandardCharsets.UTF_8)), null, "find the merge request of " + headBranch);
    for (JsonNode mr : list) {
      if (headBranch.equals(mr.path("source_branch").asText())) {
        return Optional.of(mergeRequest(mr));
      }
    }
    return Optional.empty();
  }

  @Override
  public ChecksState checks(String sha) {
    Require.notBlank(sha, "sha");
    JsonNode pipelines = call("GET", project("/pipelines?order_by=id&sort=desc&per_page=1&sha="
        + URLEncoder.encode(sha, StandardCharsets.UTF_8)), null, "read the pipeline of " + sha);
    if (!pipelines.isArray() || pipelines.isEmpty()) {
      return ChecksState.PENDING;
    }
    return switch (pipelines.get(0).path("status").asText("").toLowerCase(Locale.ROOT)) {
      case "success" -> ChecksState.SUCCESS;
      case "failed", "canceled" -> ChecksState.FAILURE;
      default -> ChecksState.PENDING;  // created, waiting_for_resource, preparing, pending, running, manual, scheduled
    };
  }

  @Override
  public PullRequest merge(long number, String expectedHeadSha) {
    Require.notBlank(expectedHeadSha, "expectedHeadSha");
    ObjectNode body = JSON.createObjectNode().put("sha", expectedHeadSha);
    JsonNode merged = call("PUT", project("/merge_requests/" + number + "/merge"), body,
        "merge merge request !" + number);
    return merged.has("iid") ? mergeRequest(merged)
        : mergeRequest(call("GET", project("/merge_requests/" + number), null, "read merge request !" + number));
  }

  private String project(String path) {
    return api + "/projects/" + encodedProject + path;
  }

  private JsonNode call(String method, String url, @Nullable JsonNode body, String what) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .header("Accept", "application/json").header("PRIVATE-TOKEN", token).header("User-Agent", "sre-agent");
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
      throw new GitHostException(status, describe() + ": could not " + what + ": HTTP " + status + " "
          + message(response.body()) + hint(status), null);
    }
    try {
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new GitHostException(status, describe() + ": could not " + what + ": the answer is not JSON", e);
    }
  }

  /** What to do about a refusal, for the statuses whose cause is usually the configuration. */
  private String hint(int status) {
    return switch (status) {
      case 401 -> " (the token in environment variable " + tokenVariable + " is not accepted: it is wrong, expired or"
          + " revoked; export a valid access token with the api scope in it)";
      case 403 -> " (the token lacks the rights for this: it needs the api scope and at least the Developer role on "
          + project + ", Maintainer where the target branch only lets maintainers merge)";
      case 404 -> " (no such project or merge request: check that the project path " + project + " and the URL are"
          + " right, and that the token's user is a member of the project — GitLab answers 404 to those who are not)";
      case 405, 422 -> " (GitLab cannot merge it as it is: it has conflicts, is a draft, or its pipeline or approvals"
          + " are not done)";
      case 409 -> " (a conflict: on a merge, the source branch no longer has the expected head; on creation, an open"
          + " merge request of the branch already exists)";
      default -> "";
    };
  }

  /** GitLab's {@code message} is a string, a list or an object of field errors; {@code error} sometimes. */
  private static String message(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode m = n.has("message") ? n.get("message") : n.path("error");
      if (m.isMissingNode()) {
        return shorten(body);
      }
      return m.isTextual() ? m.asText() : shorten(m.toString());
    } catch (IOException e) {
      return shorten(body);
    }
  }

  private static String shorten(String s) {
    return s.length() > 200 ? s.substring(0, 200) : s;
  }

  private static PullRequest mergeRequest(JsonNode mr) {
    PullRequest.State state = switch (mr.path("state").asText()) {
      case "merged" -> PullRequest.State.MERGED;
      case "opened", "locked" -> PullRequest.State.OPEN;
      default -> PullRequest.State.CLOSED;
    };
    return new PullRequest(mr.path("iid").asLong(), mr.path("web_url").asText(), mr.path("source_branch").asText(),
        mr.path("sha").asText(), state);
  }

  /** Builds a {@link GitLabHost}. */
  public static final class Builder {
    private String url = DEFAULT_URL;
    private @Nullable String project;
    private @Nullable String tokenVariable;
    private Duration timeout = Duration.ofSeconds(30);
    private Function<String, @Nullable String> environment = System::getenv;

    private Builder() {}

    /** The instance's address, without {@code /api/v4} (default {@value GitLabHost#DEFAULT_URL}). */
    public Builder setUrl(String url) {
      Require.notBlank(url, "url");
      if (!url.startsWith("https://") && !url.startsWith("http://")) {
        throw new IllegalArgumentException("url must be the http(s) address of the GitLab instance, such as "
            + DEFAULT_URL + ", but was '" + url + "'");
      }
      if (url.replaceAll("/+$", "").endsWith("/api/v4")) {
        throw new IllegalArgumentException("url is the instance's address without /api/v4 (it is added), but was '"
            + url + "'");
      }
      this.url = url;
      return this;
    }

    /** The project's full path, {@code group/name} or {@code group/subgroup/name} (required). */
    public Builder setProject(String project) {
      Require.notBlank(project, "project");
      if (!project.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+")) {
        throw new IllegalArgumentException("project must be the project's full path, group/name or"
            + " group/subgroup/name such as shop/config, but was '" + project + "'");
      }
      this.project = project;
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
     * @throws IllegalStateException when the project or token variable is missing, or the variable is unset
     */
    public GitLabHost build() {
      if (project == null || tokenVariable == null) {
        throw new IllegalStateException("GitLabHost needs" + (project == null ? " setProject(group/name)" : "")
            + (tokenVariable == null ? " setTokenVariable(name)" : ""));
      }
      String token = environment.apply(tokenVariable);
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("environment variable " + tokenVariable + " (setTokenVariable) is not set:"
            + " export a GitLab access token with the api scope for " + project + " in it");
      }
      return new GitLabHost(this, token.strip());
    }
  }
}
