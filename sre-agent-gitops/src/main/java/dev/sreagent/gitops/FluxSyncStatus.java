package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@link SyncStatus} from a Flux {@code Kustomization} ({@code kustomize.toolkit.fluxcd.io/v1}), read through fabric8
 * as a generic resource.
 *
 * <p>The synced revision is the commit in {@code status.lastAppliedRevision} ({@code main@sha1:<sha>}; the older
 * {@code main/<sha>} is read too), reported only when the {@code Ready} condition is {@code True} for the current
 * generation ({@code status.observedGeneration} ≥ {@code metadata.generation}) and the Kustomization is not suspended
 * — with {@code spec.wait} or health checks, Ready also means the rollout finished. Otherwise nothing is reported and
 * the executor keeps waiting; what was seen (Ready's status, reason and message, the last attempted revision, a
 * suspension) is part of {@link #describe()}, so the executor's "not synced within ..." message names it.
 *
 * <p>Not supported: a Kustomization whose source is an OCI artifact ({@code latest@sha256:...} is a digest, not a commit
 * of the config repository; refused with a message), and HelmReleases. The agent's service account needs {@code get}
 * on {@code kustomizations.kustomize.toolkit.fluxcd.io} in the Kustomization's namespace.
 */
public final class FluxSyncStatus implements SyncStatus {
  /** The Kustomization resource type. */
  static final ResourceDefinitionContext KUSTOMIZATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("kustomize.toolkit.fluxcd.io").withVersion("v1").withKind("Kustomization")
      .withPlural("kustomizations").withNamespaced(true).build();
  /** Flux's namespace, where its Kustomizations usually live. */
  public static final String DEFAULT_NAMESPACE = "flux-system";
  private static final Pattern SHA1 = Pattern.compile("(?:^|@|/)(?:sha1:)?([0-9a-f]{40})$");

  private final KubernetesClient client;
  private final String namespace;
  private final Function<ImageRollback, String> kustomization;
  private final AtomicReference<@Nullable String> lastSeen = new AtomicReference<>();

  private FluxSyncStatus(Builder b) {
    this.client = Objects.requireNonNull(b.client);
    this.namespace = b.namespace;
    this.kustomization = Objects.requireNonNull(b.kustomization);
  }

  /** A builder; {@link Builder#setClient} and a Kustomization ({@link Builder#setKustomization}) are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * What Flux reports for a Kustomization.
   *
   * @param kustomization {@code namespace/name}
   * @param ready the Ready condition's status (True, False, Unknown), null when not reported
   * @param reason its reason, or null
   * @param message its message, or null
   * @param current whether the status is of the current generation
   * @param suspended {@code spec.suspend}
   * @param lastAppliedRevision {@code status.lastAppliedRevision} as written, or null
   * @param lastAttemptedRevision {@code status.lastAttemptedRevision} as written, or null
   */
  public record State(String kustomization, @Nullable String ready, @Nullable String reason, @Nullable String message,
      boolean current, boolean suspended, @Nullable String lastAppliedRevision,
      @Nullable String lastAttemptedRevision) {
    /** Whether the cluster is at {@link #appliedCommit()}: Ready, current, not suspended. */
    public boolean synced() {
      return "True".equals(ready) && current && !suspended && lastAppliedRevision != null;
    }

    /**
     * The commit of {@link #lastAppliedRevision()}, or null when none is applied yet.
     *
     * @throws IllegalStateException when the revision is not a Git commit (an OCI artifact's digest)
     */
    public @Nullable String appliedCommit() {
      return lastAppliedRevision == null ? null : commitOf(kustomization, lastAppliedRevision);
    }

    /** For messages. */
    public String describe() {
      return (suspended ? "suspended (flux resume kustomization " + kustomization.substring(kustomization.indexOf('/')
          + 1) + " -n " + kustomization.substring(0, kustomization.indexOf('/')) + "), " : "")
          + "Ready " + (ready == null ? "not reported" : ready) + (reason == null ? "" : " (" + reason
          + (message == null ? "" : ": " + message) + ")") + (current ? "" : ", status of an older generation")
          + ", last applied revision " + (lastAppliedRevision == null ? "none" : lastAppliedRevision)
          + (lastAttemptedRevision == null || lastAttemptedRevision.equals(lastAppliedRevision) ? ""
              : ", last attempted " + lastAttemptedRevision);
    }
  }

  /** The commit in a Flux revision ({@code main@sha1:<sha>}, {@code main/<sha>}, {@code sha1:<sha>}). */
  static String commitOf(String kustomization, String revision) {
    Matcher m = SHA1.matcher(revision);
    if (m.find()) {
      return m.group(1);
    }
    throw new IllegalStateException("Flux Kustomization " + kustomization + " applied revision '" + revision
        + "', which is not a Git commit (an OCI artifact's digest?): its source is not the config repository; use"
        + " SyncStatus.workloadImages(...) for this workload");
  }

  @Override
  public Observation observe(ImageRollback rollback) {
    State state = state(kustomization.apply(rollback));
    lastSeen.set(state.kustomization() + ": " + state.describe());
    return new Observation(state.synced() ? state.appliedCommit() : null, List.of());
  }

  /**
   * The state of Kustomization {@code name} in the configured namespace.
   *
   * @throws IllegalStateException when the CRD or the Kustomization is missing, or the agent may not read it
   */
  public State state(String name) {
    Require.notBlank(name, "kustomization name");
    GenericKubernetesResource k = ClusterObjects.get(client, KUSTOMIZATIONS, namespace, name, "Flux Kustomization",
        "the Kustomization name and namespace given to FluxSyncStatus (setKustomization, setNamespace)");
    Map<String, Object> status = ClusterObjects.map(k.getAdditionalProperties(), "status");
    Map<String, Object> spec = ClusterObjects.map(k.getAdditionalProperties(), "spec");
    Map<String, Object> ready = ClusterObjects.list(status, "conditions").stream()
        .filter(c -> "Ready".equals(c.get("type"))).findFirst().orElse(Map.of());
    Long generation = k.getMetadata() == null ? null : k.getMetadata().getGeneration();
    boolean current = generation == null || status.get("observedGeneration") instanceof Number n
        && n.longValue() >= generation;
    return new State(namespace + "/" + name, ClusterObjects.text(ready, "status"), ClusterObjects.text(ready,
        "reason"), ClusterObjects.text(ready, "message"), current, Boolean.TRUE.equals(spec.get("suspend")),
        ClusterObjects.text(status, "lastAppliedRevision"), ClusterObjects.text(status, "lastAttemptedRevision"));
  }

  /** {@code Flux Kustomization NAMESPACE/NAME: what the last observation saw}. */
  @Override
  public String describe() {
    String seen = lastSeen.get();
    return "Flux Kustomization" + (seen == null ? " in namespace " + namespace : " " + seen);
  }

  /** Builds a {@link FluxSyncStatus}. */
  public static final class Builder {
    private @Nullable KubernetesClient client;
    private String namespace = DEFAULT_NAMESPACE;
    private @Nullable Function<ImageRollback, String> kustomization;

    private Builder() {}

    /** The client of the cluster Flux runs in (required; the caller closes it). */
    public Builder setClient(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The Kustomizations' namespace (default {@value FluxSyncStatus#DEFAULT_NAMESPACE}). */
    public Builder setNamespace(String namespace) {
      this.namespace = Require.notBlank(namespace, "namespace");
      return this;
    }

    /** The one Kustomization that applies the workloads this executor rolls back. */
    public Builder setKustomization(String name) {
      Require.notBlank(name, "kustomization");
      this.kustomization = r -> name;
      return this;
    }

    /** The Kustomization that applies a rollback's workload. */
    public Builder setKustomizationOf(Function<ImageRollback, String> kustomization) {
      this.kustomization = Objects.requireNonNull(kustomization, "kustomization");
      return this;
    }

    /**
     * The adapter.
     *
     * @throws IllegalStateException when the client or the Kustomization is missing
     */
    public FluxSyncStatus build() {
      if (client == null || kustomization == null) {
        throw new IllegalStateException("FluxSyncStatus needs" + (client == null ? " setClient(kubernetesClient)"
            : "") + (kustomization == null ? " setKustomization(name) or setKustomizationOf(rollback -> name)" : ""));
      }
      return new FluxSyncStatus(this);
    }
  }
}
