package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link SyncStatus} from an Argo CD {@code Application} ({@code argoproj.io/v1alpha1}), read through fabric8 as a
 * generic resource (no discovery request unless the object is missing; no Argo CD API server or CLI involved).
 *
 * <p>The synced revision is reported only when Argo CD says the cluster is at it: {@code status.sync.status} is
 * {@code Synced} — then {@code status.sync.revision} is the commit the live objects match — and, unless
 * {@link Builder#setRequireHealthy(boolean) setRequireHealthy(false)}, {@code status.health.status} is {@code Healthy}
 * (the rollout finished). Otherwise ({@code OutOfSync}, {@code Unknown}, {@code Progressing}, {@code Degraded}, a sync
 * operation running) nothing is reported and the executor keeps waiting; what was seen is part of
 * {@link #describe()}, so the executor's "not synced within ..." message names it. A Synced application at another
 * revision is reported as it is: the executor waits until the revision contains the agent's commit.
 *
 * <p>{@link #history(String)} lists {@code status.history[]} (the revisions Argo CD deployed, newest first); as a
 * {@link DeployedRevisions} ({@link GitRollbackExecutor.Builder#setDeployedRevisions}) it is the source of the last
 * healthy commit: the newest deployed revision at which the declaration held the healthy image. Argo CD keeps the
 * last {@code spec.revisionHistoryLimit} deployments (10 unless set).
 *
 * <p>Not supported: multi-source applications ({@code status.sync.revisions}: which source is the config repository
 * is not known here; such an application is refused with a message), and ApplicationSets (name the generated
 * Application). The agent's service account needs {@code get} on {@code applications.argoproj.io} in the
 * application's namespace.
 */
public final class ArgoCdSyncStatus implements SyncStatus, DeployedRevisions {
  /** The Application resource type. */
  static final ResourceDefinitionContext APPLICATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Application").withPlural("applications")
      .withNamespaced(true).build();
  /** Argo CD's namespace, where its applications live unless "applications in any namespace" is used. */
  public static final String DEFAULT_NAMESPACE = "argocd";

  private final KubernetesClient client;
  private final String namespace;
  private final Function<ImageRollback, String> application;
  private final boolean requireHealthy;
  private final AtomicReference<@Nullable String> lastSeen = new AtomicReference<>();

  private ArgoCdSyncStatus(Builder b) {
    this.client = Objects.requireNonNull(b.client);
    this.namespace = b.namespace;
    this.application = Objects.requireNonNull(b.application);
    this.requireHealthy = b.requireHealthy;
  }

  /** A builder; {@link Builder#setClient} and an application ({@link Builder#setApplication}) are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * What Argo CD reports for an application.
   *
   * @param application {@code namespace/name}
   * @param syncStatus {@code status.sync.status}: Synced, OutOfSync, Unknown; null when not reported yet
   * @param revision {@code status.sync.revision}: the commit compared against (and, when Synced, the one applied)
   * @param health {@code status.health.status}: Healthy, Progressing, Degraded, Suspended, Missing, Unknown
   * @param operationPhase {@code status.operationState.phase} of the last sync operation (Running, Succeeded, ...)
   */
  public record State(String application, @Nullable String syncStatus, @Nullable String revision,
      @Nullable String health, @Nullable String operationPhase) {
    /** Whether the cluster is at {@link #revision()}: Synced (and Healthy when required). */
    public boolean synced(boolean requireHealthy) {
      return "Synced".equals(syncStatus) && revision != null && (!requireHealthy || "Healthy".equals(health));
    }

    /** For messages: status, revision, health, operation. */
    public String describe() {
      return "sync " + (syncStatus == null ? "not reported" : syncStatus)
          + (revision == null ? "" : " (revision " + revision + ")")
          + ", health " + (health == null ? "not reported" : health)
          + (operationPhase == null ? "" : ", last sync operation " + operationPhase);
    }
  }

  /**
   * One entry of {@code status.history}: a revision Argo CD deployed.
   *
   * @param id the history id
   * @param revision the commit deployed
   * @param deployedAt when (RFC 3339, as Argo CD wrote it), or null
   */
  public record Deployment(long id, String revision, @Nullable String deployedAt) {}

  @Override
  public Observation observe(ImageRollback rollback) {
    State state = state(application.apply(rollback));
    lastSeen.set(state.application() + ": " + state.describe());
    return new Observation(state.synced(requireHealthy) ? state.revision() : null, List.of());
  }

  /**
   * The state of Argo CD application {@code name} in the configured namespace.
   *
   * @throws IllegalStateException when the CRD or the application is missing, the agent may not read it, or it is a
   *     multi-source application — each named with the fix
   */
  public State state(String name) {
    GenericKubernetesResource app = read(name);
    Map<String, Object> status = ClusterObjects.map(app.getAdditionalProperties(), "status");
    Map<String, Object> sync = ClusterObjects.map(status, "sync");
    String revision = ClusterObjects.text(sync, "revision");
    if (revision == null && sync.get("revisions") instanceof List<?> revisions && !revisions.isEmpty()) {
      throw new IllegalStateException("Argo CD Application " + namespace + "/" + name + " has several sources"
          + " (status.sync.revisions " + revisions + "): which one is the config repository is not known; use a"
          + " single-source application, or SyncStatus.workloadImages(...) for this workload");
    }
    return new State(namespace + "/" + name, ClusterObjects.text(sync, "status"), revision,
        ClusterObjects.text(ClusterObjects.map(status, "health"), "status"),
        ClusterObjects.text(ClusterObjects.map(status, "operationState"), "phase"));
  }

  /** {@code status.history} of application {@code name}, newest first (empty when Argo CD keeps none). */
  public List<Deployment> history(String name) {
    Map<String, Object> status = ClusterObjects.map(read(name).getAdditionalProperties(), "status");
    List<Deployment> out = new ArrayList<>();
    for (Map<String, Object> h : ClusterObjects.list(status, "history")) {
      String revision = ClusterObjects.text(h, "revision");
      if (revision != null) {
        Object id = h.get("id");
        out.add(new Deployment(id instanceof Number n ? n.longValue() : -1, revision,
            ClusterObjects.text(h, "deployedAt")));
      }
    }
    out.sort((a, b) -> Long.compare(b.id(), a.id()));
    return Collections.unmodifiableList(out);
  }

  /** {@link #history(String)} of the application that syncs {@code rollback}'s workload. */
  @Override
  public List<DeployedRevisions.Deployed> deployed(ImageRollback rollback) {
    return history(application.apply(rollback)).stream()
        .map(d -> new DeployedRevisions.Deployed(d.revision(), d.deployedAt())).toList();
  }

  /** {@code Argo CD application NAMESPACE/NAME} of {@code rollback}'s workload. */
  @Override
  public String describeFor(ImageRollback rollback) {
    return "Argo CD application " + namespace + "/" + application.apply(rollback);
  }

  private GenericKubernetesResource read(String name) {
    Require.notBlank(name, "application name");
    return ClusterObjects.get(client, APPLICATIONS, namespace, name, "Argo CD Application",
        "the application name and namespace given to ArgoCdSyncStatus (setApplication, setNamespace)");
  }

  /** {@code Argo CD application in NAMESPACE}, with what the last observation saw. */
  @Override
  public String describe() {
    String seen = lastSeen.get();
    return "Argo CD application" + (seen == null ? " in namespace " + namespace : " " + seen);
  }

  /** Builds an {@link ArgoCdSyncStatus}. */
  public static final class Builder {
    private @Nullable KubernetesClient client;
    private String namespace = DEFAULT_NAMESPACE;
    private @Nullable Function<ImageRollback, String> application;
    private boolean requireHealthy = true;

    private Builder() {}

    /** The client of the cluster Argo CD's applications live in (required; the caller closes it). */
    public Builder setClient(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The applications' namespace (default {@value ArgoCdSyncStatus#DEFAULT_NAMESPACE}). */
    public Builder setNamespace(String namespace) {
      this.namespace = Require.notBlank(namespace, "namespace");
      return this;
    }

    /** The one application that syncs the workloads this executor rolls back. */
    public Builder setApplication(String name) {
      Require.notBlank(name, "application");
      this.application = r -> name;
      return this;
    }

    /** The application that syncs a rollback's workload, for example {@code r -> r.workload()}. */
    public Builder setApplicationOf(Function<ImageRollback, String> application) {
      this.application = Objects.requireNonNull(application, "application");
      return this;
    }

    /** Whether the application must also be Healthy (the rollout finished) to count as synced (default true). */
    public Builder setRequireHealthy(boolean requireHealthy) {
      this.requireHealthy = requireHealthy;
      return this;
    }

    /**
     * The adapter.
     *
     * @throws IllegalStateException when the client or the application is missing
     */
    public ArgoCdSyncStatus build() {
      if (client == null || application == null) {
        throw new IllegalStateException("ArgoCdSyncStatus needs" + (client == null ? " setClient(kubernetesClient)"
            : "") + (application == null ? " setApplication(name) or setApplicationOf(rollback -> name)" : ""));
      }
      return new ArgoCdSyncStatus(this);
    }
  }
}
