package dev.sreagent.gitops;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.spi.ActionExecutorProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The GitOps rollback executor ({@link GitRollbackExecutor}) from configuration, named {@code gitops}. Every bad or
 * missing value is reported at once ({@link ConfigurationException}), each naming its key and the fix. Keys:
 * <pre>
 * gitops.repository = https://github.com/shop/config.git   # required; https://, http://, ssh://, git@, file://
 * gitops.branch = main                                     # the branch the cluster syncs
 * gitops.paths = overlays/prod,envs/prod                   # where to look (comma-separated), to avoid ambiguity
 * gitops.work-dir = /var/lib/sre-agent/gitops              # required; one per process
 * gitops.token-env = GITOPS_TOKEN                          # the environment variable holding the token (never the token)
 * gitops.author.name = sre-agent                           # commit author (both or neither)
 * gitops.author.email = sre-agent@shop.example
 * gitops.host = none | github | gitlab                     # default none: push the branch only, no pull request
 * gitops.host.url = https://api.github.com                 # default per host (GitLab: https://gitlab.com)
 * gitops.host.project = shop/config                        # default: the repository URL's path
 * gitops.sync = none | argocd | flux                       # wait for the cluster to apply the merge (needs a host)
 * gitops.sync.namespace = argocd                           # default argocd / flux-system
 * gitops.sync.name = shop-cart                             # the Application / Kustomization; default: the service
 * gitops.sync.history = true                               # argocd (default true): healthy commit = one Argo CD deployed
 * gitops.auto-merge = false                                # see below
 * gitops.merge-timeout = 1h   gitops.sync-timeout = 10m   gitops.poll-interval = 15s
 * gitops.images = kubernetes                               # required: revisions' images from the ReplicaSets
 * gitops.namespace = shop                                  # required with gitops.images=kubernetes
 * </pre>
 * {@code gitops.sync} and {@code gitops.images=kubernetes} read the cluster through fabric8 (in-cluster service
 * account or {@code ~/.kube/config}, as fabric8's client builder finds them), which must then be on the class path
 * ({@code io.fabric8:kubernetes-client} and {@code kubernetes-httpclient-jdk}).
 *
 * <p>What configuration cannot give is left to the composition root, through {@link #configure(ConfigView)} (the
 * configured builder): the agent's incident store (for the diagnosis and plan hash in the commit message), its phase
 * lookup and its clock. So {@link #create} refuses {@code gitops.auto-merge=true}: without the agent's phase the
 * executor could never merge; use {@code configure(config).setPhases(...)}.
 *
 * <p>The provider is {@linkplain #onlyWhenNamed() used only when named} (it pushes to a remote). Note: the agent's
 * builder creates executors from discovered providers that need no naming only, so today this provider is used
 * explicitly: {@code builder.addExecutor(new GitOpsExecutorProvider().create(config), ...)}.
 */
public final class GitOpsExecutorProvider implements ActionExecutorProvider {
  private final Function<String, @Nullable String> environment;
  private final @Nullable Supplier<Object> clients;

  /** Reads tokens from the process environment; the cluster's client from fabric8's defaults. */
  public GitOpsExecutorProvider() {
    this(System::getenv, null);
  }

  /**
   * For tests and composition roots with their own secret lookup and cluster client.
   *
   * @param environment where token variables are looked up
   * @param clients the fabric8 {@code KubernetesClient} to use (typed loosely, so the class loads without fabric8),
   *     or null for fabric8's defaults
   */
  GitOpsExecutorProvider(Function<String, @Nullable String> environment, @Nullable Supplier<Object> clients) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.clients = clients;
  }

  @Override
  public String name() {
    return "gitops";
  }

  @Override
  public boolean onlyWhenNamed() {
    return true;
  }

  @Override
  public ActionExecutor create(ConfigView config) {
    List<String> problems = new ArrayList<>();
    GitRollbackExecutor.Builder b = configure(config, problems);
    if ("true".equals(config.get("gitops.auto-merge", "false").strip().toLowerCase(Locale.ROOT))) {
      problems.add("gitops.auto-merge=true cannot work from configuration alone: the agent merges only in phase"
          + " AUTONOMOUS, which the executor reads from the agent; build it with new GitOpsExecutorProvider()"
          + ".configure(config).setPhases(...).build(), or set gitops.auto-merge=false");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    try {
      return b.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new ConfigurationException(List.of("gitops: " + e.getMessage()));
    }
  }

  /**
   * The executor's builder configured from {@code config}; add the incident store, phases and clock, then build.
   *
   * @throws ConfigurationException naming every bad or missing key
   */
  public GitRollbackExecutor.Builder configure(ConfigView config) {
    List<String> problems = new ArrayList<>();
    GitRollbackExecutor.Builder b = configure(config, problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return b;
  }

  private GitRollbackExecutor.Builder configure(ConfigView config, List<String> problems) {
    GitRollbackExecutor.Builder b = GitRollbackExecutor.builder().setEnvironment(environment);
    String repository = config.get("gitops.repository", "").strip();
    if (repository.isEmpty()) {
      problems.add("gitops.repository is required: the config repository's URL, such as"
          + " https://github.com/shop/config.git");
    } else if (!repository.matches("(https?|ssh|git|file)://.+|[\\w.-]+@[\\w.-]+:.+")) {
      problems.add("gitops.repository must be a Git URL (https://, http://, ssh://, git://, git@host:path or"
          + " file://), such as https://github.com/shop/config.git, but was '" + repository + "'");
    } else {
      apply(problems, "gitops.repository", () -> b.setRemote(repository));
    }
    config.get("gitops.branch").ifPresent(v -> apply(problems, "gitops.branch", () -> b.setBaseBranch(v.strip())));
    config.get("gitops.paths").ifPresent(v -> apply(problems, "gitops.paths", () -> b.setSearchPaths(
        Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())));
    String workDir = config.get("gitops.work-dir", "").strip();
    if (workDir.isEmpty()) {
      problems.add("gitops.work-dir is required: a directory for the agent's clone, one per process, such as"
          + " /var/lib/sre-agent/gitops");
    } else {
      apply(problems, "gitops.work-dir", () -> b.setWorkDirectory(Path.of(workDir)));
    }
    String tokenEnv = config.get("gitops.token-env", "").strip();
    boolean tokenSet = false;
    if (!tokenEnv.isEmpty()) {
      if (!tokenEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        problems.add("gitops.token-env must name an environment variable (such as GITOPS_TOKEN), not hold the token;"
            + " it was '" + (tokenEnv.length() > 4 ? tokenEnv.substring(0, 4) + "..." : tokenEnv) + "'");
      } else if (environment.apply(tokenEnv) == null || environment.apply(tokenEnv).isBlank()) {
        problems.add("gitops.token-env names " + tokenEnv + ", but that environment variable is empty; export the"
            + " Git host token there");
      } else {
        tokenSet = true;
        if (!repository.startsWith("file:")) {
          b.setTokenVariable(tokenEnv);
        }
      }
    }
    String authorName = config.get("gitops.author.name", "").strip();
    String authorEmail = config.get("gitops.author.email", "").strip();
    if (!authorName.isEmpty() || !authorEmail.isEmpty()) {
      if (authorName.isEmpty() || authorEmail.isEmpty()) {
        problems.add("gitops.author.name and gitops.author.email go together: set both (or neither, for "
            + CommitAuthor.DEFAULT.name() + " <" + CommitAuthor.DEFAULT.email() + ">)");
      } else {
        apply(problems, "gitops.author.email", () -> b.setAuthor(new CommitAuthor(authorName, authorEmail)));
      }
    }
    duration(config, "gitops.merge-timeout", problems).ifPresent(d -> b.setMergeTimeout(d));
    duration(config, "gitops.sync-timeout", problems).ifPresent(d -> b.setSyncTimeout(d));
    duration(config, "gitops.poll-interval", problems).ifPresent(d -> b.setPollInterval(d));
    String autoMerge = config.get("gitops.auto-merge", "false").strip().toLowerCase(Locale.ROOT);
    if (!autoMerge.equals("true") && !autoMerge.equals("false")) {
      problems.add("gitops.auto-merge must be true or false, but was '" + autoMerge + "'");
    }

    String host = config.get("gitops.host", "none").strip().toLowerCase(Locale.ROOT);
    GitHost gitHost = null;
    switch (host) {
      case "none" -> { }
      case "github", "gitlab" -> gitHost = host(config, host, repository, tokenEnv, tokenSet, problems);
      default -> problems.add("gitops.host must be none, github or gitlab, but was '" + host + "'");
    }
    if (gitHost != null) {
      b.setGitHost(gitHost);
    }

    String sync = config.get("gitops.sync", "none").strip().toLowerCase(Locale.ROOT);
    if (!List.of("none", "argocd", "flux").contains(sync)) {
      problems.add("gitops.sync must be none, argocd or flux, but was '" + sync + "'");
    } else if (!sync.equals("none") && host.equals("none")) {
      problems.add("gitops.sync=" + sync + " needs gitops.host (github or gitlab): the executor waits for the merge"
          + " of its pull request before it waits for the sync");
    }
    String history = config.get("gitops.sync.history", sync.equals("argocd") ? "true" : "false").strip()
        .toLowerCase(Locale.ROOT);
    if (!history.equals("true") && !history.equals("false")) {
      problems.add("gitops.sync.history must be true or false, but was '" + history + "'");
    } else if (history.equals("true") && !sync.equals("argocd")) {
      problems.add("gitops.sync.history=true needs gitops.sync=argocd (Argo CD's status.history lists the commits it"
          + " deployed; Flux keeps no such list): remove the key or set gitops.sync=argocd");
    }
    if (autoMerge.equals("true") && sync.equals("none")) {
      problems.add("gitops.auto-merge=true needs gitops.sync (argocd or flux): a merge the agent makes must be"
          + " followed to the cluster before the action counts as done");
    }
    String images = config.get("gitops.images", "").strip();
    String namespace = config.get("gitops.namespace", "").strip();
    if (!images.equals("kubernetes")) {
      problems.add("gitops.images must be kubernetes (the revisions' images from the Deployments' ReplicaSets), but"
          + " was '" + images + "'; other sources are given in code: configure(config).setImages(...)");
    } else if (namespace.isEmpty()) {
      problems.add("gitops.namespace is required with gitops.images=kubernetes: the namespace of the workloads to"
          + " roll back, such as shop");
    }
    boolean needsCluster = images.equals("kubernetes") && !namespace.isEmpty() || sync.equals("argocd")
        || sync.equals("flux");
    if (needsCluster && problems.isEmpty()) {
      if (!Cluster.available()) {
        problems.add("gitops.sync=" + sync + " and gitops.images=" + images + " read the cluster through fabric8,"
            + " which is not on the class path: add io.fabric8:kubernetes-client and"
            + " io.fabric8:kubernetes-httpclient-jdk");
      } else {
        Cluster.configure(b, clients, images.equals("kubernetes") ? namespace : null, sync,
            config.get("gitops.sync.namespace", "").strip(), config.get("gitops.sync.name", "").strip(),
            history.equals("true"));
      }
    }
    return b;
  }

  private @Nullable GitHost host(ConfigView config, String host, String repository, String tokenEnv,
      boolean tokenSet, List<String> problems) {
    if (!tokenEnv.isEmpty() && !tokenSet) {
      return null;  // the token variable's problem is reported already
    }
    if (tokenEnv.isEmpty()) {
      problems.add("gitops.host=" + host + " needs gitops.token-env: the environment variable holding a token with"
          + (host.equals("github") ? " pull requests and contents write" : " the api scope (role Developer or above)"));
      return null;
    }
    String project = config.get("gitops.host.project", "").strip();
    if (project.isEmpty()) {
      project = projectOf(repository);
      if (project == null) {
        problems.add("gitops.host.project is required: it cannot be read from gitops.repository '" + repository
            + "'; set it to the repository's path on " + host + ", such as shop/config");
        return null;
      }
    }
    String url = config.get("gitops.host.url", "").strip();
    String p = project;
    try {
      if (host.equals("github")) {
        GitHubHost.Builder gh = GitHubHost.builder().setRepository(p).setTokenVariable(tokenEnv)
            .setEnvironment(environment);
        if (!url.isEmpty()) {
          gh.setApiUrl(url);
        }
        return gh.build();
      }
      GitLabHost.Builder gl = GitLabHost.builder().setProject(p).setTokenVariable(tokenEnv).setEnvironment(environment);
      if (!url.isEmpty()) {
        gl.setUrl(url);
      }
      return gl.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      problems.add("gitops.host=" + host + " (gitops.host.project, gitops.host.url, gitops.token-env): "
          + e.getMessage());
      return null;
    }
  }

  /** {@code shop/config} from {@code https://github.com/shop/config.git} or {@code git@github.com:shop/config.git}. */
  static @Nullable String projectOf(String repository) {
    String path;
    if (repository.matches("[\\w.-]+@[\\w.-]+:.+")) {
      path = repository.substring(repository.indexOf(':') + 1);
    } else {
      try {
        URI uri = URI.create(repository);
        if (uri.getHost() == null || uri.getPath() == null) {
          return null;
        }
        path = uri.getPath();
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    path = path.replaceAll("^/+", "").replaceAll("/+$", "").replaceAll("\\.git$", "");
    return path.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+") ? path : null;
  }

  private static java.util.Optional<Duration> duration(ConfigView config, String key, List<String> problems) {
    return config.get(key).flatMap(v -> {
      try {
        return java.util.Optional.of(ConfigView.parseDuration(key, v));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        return java.util.Optional.empty();
      }
    });
  }

  private static void apply(List<String> problems, String key, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
  }

  /** What touches fabric8, apart, so the provider loads without it. */
  private static final class Cluster {
    static boolean available() {
      try {
        Class.forName("io.fabric8.kubernetes.client.KubernetesClientBuilder", false,
            GitOpsExecutorProvider.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }

    static void configure(GitRollbackExecutor.Builder b, @Nullable Supplier<Object> clients,
        @Nullable String imagesNamespace, String sync, String syncNamespace, String syncName, boolean history) {
      io.fabric8.kubernetes.client.KubernetesClient client = clients != null
          ? (io.fabric8.kubernetes.client.KubernetesClient) clients.get()
          : new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
      if (imagesNamespace != null) {
        b.setImages(ReplicaSetImages.of(client, imagesNamespace));
      }
      if (sync.equals("argocd")) {
        ArgoCdSyncStatus.Builder argo = ArgoCdSyncStatus.builder().setClient(client);
        if (!syncNamespace.isEmpty()) {
          argo.setNamespace(syncNamespace);
        }
        ArgoCdSyncStatus status = syncName.isEmpty() ? argo.setApplicationOf(ImageRollback::workload).build()
            : argo.setApplication(syncName).build();
        b.setSyncStatus(status);
        if (history) {
          b.setDeployedRevisions(status);
        }
      } else if (sync.equals("flux")) {
        FluxSyncStatus.Builder flux = FluxSyncStatus.builder().setClient(client);
        if (!syncNamespace.isEmpty()) {
          flux.setNamespace(syncNamespace);
        }
        b.setSyncStatus(syncName.isEmpty() ? flux.setKustomizationOf(ImageRollback::workload).build()
            : flux.setKustomization(syncName).build());
      }
    }
  }
}
