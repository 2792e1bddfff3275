package dev.sreagent.testkit.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * <b>An emulator of a Git host's pull-request API</b> (test support): a loopback HTTP server
 * ({@code com.sun.net.httpserver}) that speaks, for one repository {@value #OWNER}/{@value #REPO}, the subsets of
 * GitHub's and GitLab's REST APIs that {@code GitHubHost} and {@code GitLabHost} use, over one set of pull requests
 * (so a test can run the same scenario against either adapter).
 *
 * <p><b>GitHub</b> (bearer token): {@code POST /repos/{o}/{r}/pulls} (422 when the head branch does not exist or an
 * open pull request of it does), {@code GET .../pulls?head=o:branch&state=all}, {@code GET .../pulls/{n}},
 * {@code POST .../issues/{n}/labels}, {@code PUT .../pulls/{n}/merge} with the expected head {@code sha} (409 when the
 * branch moved) and {@code GET .../commits/{sha}/status} (the combined status; {@code pending} until
 * {@link #setStatus} says otherwise).
 *
 * <p><b>GitLab</b> ({@code PRIVATE-TOKEN} header; the API under {@link #gitLabUrl()}{@code /api/v4}, the project id
 * being the URL-encoded path {@code shop%2Fconfig}): {@code POST /projects/{id}/merge_requests} (labels as a
 * comma-separated string; 409 when an open merge request of the source branch exists, 422 when the branch does not
 * exist), {@code GET .../merge_requests?source_branch=...&state=all}, {@code GET .../merge_requests/{iid}},
 * {@code PUT .../merge_requests/{iid}/merge} with {@code sha} (409 when the source branch moved, 405 when not open)
 * answering the merged merge request, and {@code GET .../pipelines?sha=...} (one pipeline whose status translates
 * {@link #setStatus}: {@code success}, {@code failure}/{@code error} → {@code failed}, {@code pending} →
 * {@code running}, any other word as it is; no pipeline until a status is set). Merge requests are numbered by
 * {@code iid} = the emulator's pull-request number.
 *
 * <p>A pull request's head follows its branch (as on both hosts), every call is recorded ({@link #calls}), requests
 * without the expected token get 401, and {@link #refuse} makes chosen calls fail with a status. Under {@code /git/}
 * it answers every Git smart-HTTP request with 403 (a token without push rights).
 *
 * <p>Made with {@link #forRemote}, it is the host of a {@link BareRemote}: a merge (through either API, or by the
 * emulated human reviewer with {@link #reviewerMerges}) writes a merge commit of the head onto the base branch in that
 * repository, as both hosts' "merge commit" method does, and {@link #reviewerCloses} closes a pull request unmerged.
 *
 * <p>Not emulated: branch protection, required reviews and approvals (any merge call with the right head is accepted;
 * whether the checks passed is the caller's business, as the adapters check them first), GitHub Apps' check runs,
 * GitLab's merge-when-pipeline-succeeds, squash, rebase and fast-forward merges, pagination, rate limits, GitLab's
 * error bodies beyond their status and a message, and webhooks.
 */
public final class GitHostEmulator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The repository's owner. */
  public static final String OWNER = "shop";
  /** The repository's name. */
  public static final String REPO = "config";
  /** The project's path on GitLab, {@code OWNER/REPO}. */
  public static final String PROJECT = OWNER + "/" + REPO;

  /**
   * A pull request as the emulator keeps it.
   *
   * @param number its number
   * @param head its head branch
   * @param base its base branch
   * @param title its title
   * @param body its body
   * @param labels its labels
   * @param merged {@code merged[0]}: whether it is merged
   * @param closed {@code closed[0]}: whether it is closed (merged or not)
   */
  public record Pr(long number, String head, String base, String title, String body, List<String> labels,
      boolean[] merged, boolean[] closed) {
    /** Whether it is merged. */
    public boolean isMerged() {
      return merged[0];
    }

    /** Whether it is open. */
    public boolean isOpen() {
      return !closed[0];
    }
  }

  private final HttpServer server;
  private final String token;
  private final Function<String, Optional<String>> branchHead;
  private final Consumer<Pr> onMerge;
  private final Map<Long, Pr> prs = new LinkedHashMap<>();
  private final Map<String, String> statuses = new LinkedHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> refusals = new LinkedHashMap<>();
  private volatile java.util.function.Predicate<String> interceptor = call -> false;

  /**
   * Starts on a free loopback port.
   *
   * @param token the bearer token it accepts
   * @param branchHead the head commit of a branch in the repository, if the branch exists
   * @param onMerge called when a pull request is merged
   */
  public GitHostEmulator(String token, Function<String, Optional<String>> branchHead, Consumer<Pr> onMerge)
      throws IOException {
    this.token = token;
    this.branchHead = branchHead;
    this.onMerge = onMerge;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * The host of {@code remote}: pull request heads are its branches, and a merge writes a merge commit onto the base
   * branch there (an in-core three-way merge; a conflict answers 405, as GitHub does for an unmergeable pull request).
   *
   * @param token the bearer token it accepts
   */
  public static GitHostEmulator forRemote(BareRemote remote, String token) throws IOException {
    return new GitHostEmulator(token, branch -> {
      try {
        return Optional.ofNullable(remote.branches("").get(branch));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, pr -> {
      try {
        remote.merge(pr.head(), pr.base(), "Merge pull request #" + pr.number() + " from " + OWNER + "/" + pr.head()
            + "\n\n" + pr.title());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** The API base URL to give {@code GitHubHost.Builder.setApiUrl}. */
  public String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The instance URL to give {@code GitLabHost.Builder.setUrl} (its API is under {@code /api/v4}). */
  public String gitLabUrl() {
    return apiUrl();
  }

  /** A Git smart-HTTP URL of the repository on this host, which refuses everything with 403. */
  public String gitUrl() {
    return apiUrl() + "/git/" + OWNER + "/" + REPO + ".git";
  }

  /**
   * Sees every authorised call ("METHOD path") before it is handled; when it answers true the call is dropped: answered
   * 503, nothing done. Crash tests kill the caller here (a process killed the moment it asks for a pull request).
   */
  public void setInterceptor(java.util.function.Predicate<String> interceptor) {
    this.interceptor = java.util.Objects.requireNonNull(interceptor, "interceptor");
  }

  /** From now on, calls whose "METHOD path" starts with {@code prefix} get {@code status}; 0 lifts it. */
  public synchronized void refuse(String prefix, int status) {
    if (status == 0) {
      refusals.remove(prefix);
    } else {
      refusals.put(prefix, status);
    }
  }

  /** Sets the combined status state ({@code success}, {@code pending}, {@code failure}) of commit {@code sha}. */
  public synchronized void setStatus(String sha, String state) {
    statuses.put(sha, state);
  }

  /** Every call, as "METHOD path". */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Every pull request opened, oldest first. */
  public synchronized List<Pr> pullRequests() {
    return List.copyOf(prs.values());
  }

  /**
   * The emulated human reviewer merges pull request {@code number} (in the host's web interface: no API call is
   * recorded). In ASSIST this is the approval of the agent's rollback.
   *
   * @throws IllegalStateException when there is no such open pull request, or the merge conflicts
   */
  public synchronized void reviewerMerges(long number) {
    Pr pr = prs.get(number);
    if (pr == null || !pr.isOpen()) {
      throw new IllegalStateException("no open pull request #" + number + "; pull requests: " + prs.keySet());
    }
    onMerge.accept(pr);
    pr.merged()[0] = true;
    pr.closed()[0] = true;
  }

  /** The emulated human reviewer closes pull request {@code number} without merging it (declines the rollback). */
  public synchronized void reviewerCloses(long number) {
    Pr pr = prs.get(number);
    if (pr == null || !pr.isOpen()) {
      throw new IllegalStateException("no open pull request #" + number + "; pull requests: " + prs.keySet());
    }
    pr.closed()[0] = true;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      byte[] in = ex.getRequestBody().readAllBytes();
      calls.add(method + " " + path + (query == null ? "" : "?" + query));
      if (path.startsWith("/git/")) {
        send(ex, 403, "{\"message\":\"Permission to " + OWNER + "/" + REPO + ".git denied\"}");
        return;
      }
      boolean gitLab = path.startsWith("/api/v4/");
      boolean authorized = gitLab ? token.equals(ex.getRequestHeaders().getFirst("PRIVATE-TOKEN"))
          : ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
      if (!authorized) {
        send(ex, 401, gitLab ? "{\"message\":\"401 Unauthorized\"}" : "{\"message\":\"Bad credentials\"}");
        return;
      }
      if (interceptor.test(method + " " + path)) {
        send(ex, 503, "{\"message\":\"dropped by the test's interceptor\"}");
        return;
      }
      Integer refused = refusal(method + " " + path);
      if (refused != null) {
        send(ex, refused, "{\"message\":\"" + (refused == 403 ? (gitLab ? "403 Forbidden"
            : "Resource not accessible by integration") : "emulated failure") + "\"}");
        return;
      }
      JsonNode body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
      if (gitLab && !path.startsWith(GITLAB_API + "/")) {
        send(ex, 404, "{\"message\":\"404 Project Not Found\"}");
      } else if (gitLab) {
        routeGitLab(ex, method, path.substring(GITLAB_API.length()), query, body);
      } else {
        route(ex, method, path, query, body);
      }
    }
  }

  private synchronized Integer refusal(String call) {
    return refusals.entrySet().stream().filter(e -> call.startsWith(e.getKey())).map(Map.Entry::getValue)
        .findFirst().orElse(null);
  }

  private static final Pattern PULLS = Pattern.compile("/repos/" + OWNER + "/" + REPO + "/pulls");
  private static final Pattern PULL = Pattern.compile("/repos/" + OWNER + "/" + REPO + "/pulls/(\\d+)");
  private static final Pattern MERGE = Pattern.compile("/repos/" + OWNER + "/" + REPO + "/pulls/(\\d+)/merge");
  private static final Pattern LABELS = Pattern.compile("/repos/" + OWNER + "/" + REPO + "/issues/(\\d+)/labels");
  private static final Pattern STATUS = Pattern.compile("/repos/" + OWNER + "/" + REPO + "/commits/(\\w+)/status");

  private synchronized void route(HttpExchange ex, String method, String path, String query, JsonNode body)
      throws IOException {
    Matcher m;
    if (method.equals("POST") && PULLS.matcher(path).matches()) {
      String head = body.path("head").asText();
      if (branchHead.apply(head).isEmpty()) {
        send(ex, 422, "{\"message\":\"Validation Failed\",\"errors\":[{\"field\":\"head\",\"code\":\"invalid\"}]}");
        return;
      }
      boolean open = prs.values().stream().anyMatch(p -> p.head().equals(head) && p.isOpen());
      if (open) {
        send(ex, 422, "{\"message\":\"A pull request already exists for " + OWNER + ":" + head + ".\"}");
        return;
      }
      Pr pr = new Pr(prs.size() + 1L, head, body.path("base").asText(), body.path("title").asText(),
          body.path("body").asText(), new ArrayList<>(), new boolean[1], new boolean[1]);
      prs.put(pr.number(), pr);
      send(ex, 201, render(pr).toString());
    } else if (method.equals("GET") && PULLS.matcher(path).matches()) {
      String head = param(query, "head").orElse("");
      ArrayNode list = JSON.createArrayNode();
      List<Pr> newestFirst = new ArrayList<>(prs.values());
      java.util.Collections.reverse(newestFirst);
      newestFirst.stream().filter(p -> head.isEmpty()
          || head.equals(OWNER + ":" + p.head())).forEach(p -> list.add(render(p)));
      send(ex, 200, list.toString());
    } else if (method.equals("GET") && (m = PULL.matcher(path)).matches() && prs.containsKey(Long.valueOf(m.group(1)))) {
      send(ex, 200, render(prs.get(Long.valueOf(m.group(1)))).toString());
    } else if (method.equals("PUT") && (m = MERGE.matcher(path)).matches()
        && prs.containsKey(Long.valueOf(m.group(1)))) {
      Pr pr = prs.get(Long.valueOf(m.group(1)));
      String sha = branchHead.apply(pr.head()).orElse("");
      if (!sha.equals(body.path("sha").asText())) {
        send(ex, 409, "{\"message\":\"Head branch was modified. Review and try the merge again.\"}");
        return;
      }
      if (!pr.isOpen()) {
        send(ex, 405, "{\"message\":\"Pull Request is not mergeable\"}");
        return;
      }
      try {
        onMerge.accept(pr);
      } catch (RuntimeException e) {
        send(ex, 405, "{\"message\":\"Pull Request is not mergeable: " + e.getMessage().replace('"', '\'') + "\"}");
        return;
      }
      pr.merged()[0] = true;
      pr.closed()[0] = true;
      send(ex, 200, "{\"sha\":\"" + sha + "\",\"merged\":true,\"message\":\"Pull Request successfully merged\"}");
    } else if (method.equals("POST") && (m = LABELS.matcher(path)).matches()
        && prs.containsKey(Long.valueOf(m.group(1)))) {
      Pr pr = prs.get(Long.valueOf(m.group(1)));
      body.path("labels").forEach(l -> pr.labels().add(l.asText()));
      send(ex, 200, "[]");
    } else if (method.equals("GET") && (m = STATUS.matcher(path)).matches()) {
      send(ex, 200, "{\"state\":\"" + statuses.getOrDefault(m.group(1), "pending") + "\",\"statuses\":[]}");
    } else {
      send(ex, 404, "{\"message\":\"Not Found\"}");
    }
  }

  private static final String GITLAB_API = "/api/v4/projects/" + OWNER + "%2F" + REPO;
  private static final Pattern MRS = Pattern.compile("/merge_requests");
  private static final Pattern MR = Pattern.compile("/merge_requests/(\\d+)");
  private static final Pattern MR_MERGE = Pattern.compile("/merge_requests/(\\d+)/merge");
  private static final Pattern PIPELINES = Pattern.compile("/pipelines");

  private synchronized void routeGitLab(HttpExchange ex, String method, String path, String query, JsonNode body)
      throws IOException {
    Matcher m;
    if (method.equals("POST") && MRS.matcher(path).matches()) {
      String head = body.path("source_branch").asText();
      if (branchHead.apply(head).isEmpty()) {
        send(ex, 422, "{\"message\":[\"Source branch " + head + " does not exist\"]}");
        return;
      }
      Optional<Pr> open = prs.values().stream().filter(p -> p.head().equals(head) && p.isOpen()).findFirst();
      if (open.isPresent()) {
        send(ex, 409, "{\"message\":[\"Another open merge request already exists for this source branch: !"
            + open.get().number() + "\"]}");
        return;
      }
      List<String> labels = new ArrayList<>();
      for (String l : body.path("labels").asText("").split(",")) {
        if (!l.isBlank()) {
          labels.add(l.strip());
        }
      }
      Pr pr = new Pr(prs.size() + 1L, head, body.path("target_branch").asText(), body.path("title").asText(),
          body.path("description").asText(), labels, new boolean[1], new boolean[1]);
      prs.put(pr.number(), pr);
      send(ex, 201, renderGitLab(pr).toString());
    } else if (method.equals("GET") && MRS.matcher(path).matches()) {
      String head = param(query, "source_branch").orElse("");
      ArrayNode list = JSON.createArrayNode();
      List<Pr> newestFirst = new ArrayList<>(prs.values());
      java.util.Collections.reverse(newestFirst);
      newestFirst.stream().filter(p -> head.isEmpty() || head.equals(p.head())).forEach(p -> list.add(renderGitLab(p)));
      send(ex, 200, list.toString());
    } else if (method.equals("GET") && (m = MR.matcher(path)).matches() && prs.containsKey(Long.valueOf(m.group(1)))) {
      send(ex, 200, renderGitLab(prs.get(Long.valueOf(m.group(1)))).toString());
    } else if (method.equals("PUT") && (m = MR_MERGE.matcher(path)).matches()
        && prs.containsKey(Long.valueOf(m.group(1)))) {
      Pr pr = prs.get(Long.valueOf(m.group(1)));
      String sha = branchHead.apply(pr.head()).orElse("");
      if (!pr.isOpen()) {
        send(ex, 405, "{\"message\":\"405 Method Not Allowed\"}");
        return;
      }
      if (body.has("sha") && !sha.equals(body.path("sha").asText())) {
        send(ex, 409, "{\"message\":\"SHA does not match HEAD of source branch: " + sha + "\"}");
        return;
      }
      try {
        onMerge.accept(pr);
      } catch (RuntimeException e) {
        send(ex, 422, "{\"message\":\"Branch cannot be merged: " + e.getMessage().replace('"', '\'') + "\"}");
        return;
      }
      pr.merged()[0] = true;
      pr.closed()[0] = true;
      send(ex, 200, renderGitLab(pr).toString());
    } else if (method.equals("GET") && PIPELINES.matcher(path).matches()) {
      String sha = param(query, "sha").orElse("");
      ArrayNode list = JSON.createArrayNode();
      String state = statuses.get(sha);
      if (state != null) {
        ObjectNode p = list.addObject();
        p.put("id", 1000 + Math.abs(sha.hashCode() % 1000));
        p.put("sha", sha);
        p.put("status", switch (state) {
          case "failure", "error" -> "failed";
          case "pending" -> "running";
          default -> state;
        });
      }
      send(ex, 200, list.toString());
    } else {
      send(ex, 404, "{\"message\":\"404 Not found\"}");
    }
  }

  private ObjectNode renderGitLab(Pr pr) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", 5000 + pr.number());
    n.put("iid", pr.number());
    n.put("project_id", 42);
    n.put("title", pr.title());
    n.put("description", pr.body());
    n.put("state", pr.merged()[0] ? "merged" : pr.isOpen() ? "opened" : "closed");
    n.put("source_branch", pr.head());
    n.put("target_branch", pr.base());
    n.put("sha", branchHead.apply(pr.head()).orElse("0000000000000000000000000000000000000000"));
    n.put("web_url", "https://gitlab.example/" + OWNER + "/" + REPO + "/-/merge_requests/" + pr.number());
    ArrayNode labels = n.putArray("labels");
    pr.labels().forEach(labels::add);
    return n;
  }

  private ObjectNode render(Pr pr) {
    ObjectNode n = JSON.createObjectNode();
    n.put("number", pr.number());
    n.put("html_url", "https://github.example/" + OWNER + "/" + REPO + "/pull/" + pr.number());
    n.put("state", pr.isOpen() ? "open" : "closed");
    n.put("merged", pr.merged()[0]);
    if (pr.merged()[0]) {
      n.put("merged_at", "2026-03-01T12:00:00Z");
    } else {
      n.putNull("merged_at");
    }
    n.put("title", pr.title());
    ObjectNode head = n.putObject("head");
    head.put("ref", pr.head());
    head.put("sha", branchHead.apply(pr.head()).orElse("0000000000000000000000000000000000000000"));
    n.putObject("base").put("ref", pr.base());
    return n;
  }

  private static Optional<String> param(String query, String name) {
    if (query == null) {
      return Optional.empty();
    }
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return Optional.of(URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
