package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Carries out {@link Action.RenewCertificate} on a cert-manager {@code Certificate} ({@code cert-manager.io/v1}) the
 * way {@code cmctl renew} does: the condition {@code Issuing=True} (reason {@code ManuallyTriggered}) is written
 * through the {@code status} subresource with the {@code resourceVersion} read (a 409 re-reads and re-checks once);
 * cert-manager then re-issues. The result is SUCCEEDED only once a {@code status.notAfter} later than the one before
 * the trigger is read back, polled with backoff up to the verification bound ({@link Builder#setVerifyTimeout}); when
 * the bound passes, or cert-manager reports {@code Issuing=False} with reason {@code Failed}, it is FAILED naming the
 * conditions last seen.
 *
 * <p>The action's {@code certificate} is {@code namespace/name} or a name looked up in the allowed namespaces (it must
 * be unique there). A Certificate not found is FAILED naming it; when the API server does not serve the resource type
 * at all (HTTP 404 on the type: no CRD), FAILED says cert-manager is not installed.
 *
 * <p>Idempotency and fencing live on the Certificate. A status write cannot carry annotations, so before the trigger
 * the Certificate records that the key started ({@link ChangeMarks#markStarted}) with
 * {@code sre-agent.dev/renewal-previous-not-after} (the notAfter before); right after the trigger it gets the
 * {@link ChangeMarks} annotations, written with their own optimistic retries. A redelivered key never triggers again:
 * when the key is recorded, or started and the trigger is seen to have landed ({@code Issuing=True}, or a notAfter
 * later than the recorded one: the answer to the trigger was lost, or recording the key failed), it only records the
 * key and verifies (a later notAfter is SUCCEEDED, else it waits again within the bound); a key started whose trigger
 * never landed triggers now. {@link #reconcile(String)} answers SUCCEEDED for a key whose trigger landed and whose
 * renewal is seen, FAILED (so the agent runs it again, which only verifies) for one still waiting, empty otherwise.
 * A fencing token lower than the recorded one is REJECTED before any write. Dry run: the status update is sent with
 * {@code dryRun=All} and answers DRY_RUN; nothing is re-issued, nothing recorded.
 *
 * <p>RBAC: {@code get, list} on {@code certificates.cert-manager.io}; {@code update} on {@code certificates} (the
 * annotations, before and after the trigger) and on {@code certificates/status} (the trigger).
 */
public final class KubernetesCertificateExecutor extends KubernetesExecutor<Action.RenewCertificate> {
  /** The annotation holding the {@code status.notAfter} seen before the last trigger ("none" when there was none). */
  static final String PREVIOUS_NOT_AFTER = "sre-agent.dev/renewal-previous-not-after";
  private static final int MARK_ATTEMPTS = 5;
  private static final Duration MAX_POLL = Duration.ofSeconds(10);

  private final Clock clock;
  private final Duration verifyTimeout;
  private final Duration firstPoll;

  private KubernetesCertificateExecutor(Builder b) {
    super(b, Action.RenewCertificate.class);
    this.clock = b.clock;
    this.verifyTimeout = b.verifyTimeout;
    this.firstPoll = b.firstPoll;
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-renew-certificate";
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> in(String ns) {
    return client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(ns);
  }

  /** The Certificate named by the action, or the result that says why there is none. */
  private record Found(GenericKubernetesResource cert, ActionResult refusal) {}

  private Found find(String certificate, ExecutionContext context) {
    int slash = certificate.indexOf('/');
    List<String> where = slash > 0 ? List.of(certificate.substring(0, slash)) : List.copyOf(namespaces.namespaces());
    String name = slash > 0 ? certificate.substring(slash + 1) : certificate;
    if (slash == 0 || name.isEmpty() || name.contains("/")) {
      return new Found(null, executions.result(context, ActionResult.Status.FAILED, "certificate '" + certificate
          + "' is neither a name nor namespace/name; nothing was triggered"));
    }
    List<GenericKubernetesResource> found = new ArrayList<>();
    for (String ns : where) {
      Optional<String> refused = namespaces.refusal(ns);
      if (refused.isPresent() && slash > 0) {
        return new Found(null, executions.result(context, ActionResult.Status.REJECTED, refused.get()));
      }
      GenericKubernetesResource c = in(ns).withName(name).get();
      if (c != null) {
        found.add(c);
      }
    }
    if (found.size() == 1) {
      Optional<String> refused = namespaces.refusal(found.get(0).getMetadata().getNamespace());
      return refused.map(r -> new Found(null, executions.result(context, ActionResult.Status.REJECTED, r)))
          .orElseGet(() -> new Found(found.get(0), null));
    }
    if (found.size() > 1) {
      return new Found(null, executions.result(context, ActionResult.Status.FAILED, "certificate " + name
          + " exists in " + found.stream().map(c -> c.getMetadata().getNamespace()).toList()
          + ": name it as namespace/name"));
    }
    try {
      in(where.get(0)).list();  // a missing object reads as null, a missing type as HTTP 404 here
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return new Found(null, executions.result(context, ActionResult.Status.FAILED, "cert-manager is not"
            + " installed: the API server does not serve certificates.cert-manager.io/v1 (HTTP 404); install"
            + " cert-manager (its CRDs) or do not enable this executor"));
      }
      throw e;
    }
    return new Found(null, executions.result(context, ActionResult.Status.FAILED, "Certificate " + name
        + " not found in " + where + "; nothing was triggered"));
  }

  @Override
  ActionResult run(Action.RenewCertificate renew, ExecutionContext context) {
    return executions.withOneRetryOnConflict(context, afterConflict -> attempt(renew, context));
  }

  private ActionResult attempt(Action.RenewCertificate renew, ExecutionContext context) {
    Found found = find(renew.certificate(), context);
    if (found.cert() == null) {
      return found.refusal();
    }
    GenericKubernetesResource cert = found.cert();
    String key = context.idempotencyKey();
    if (ChangeMarks.applied(cert, key)) {
      return verify(cert, context, recordedBefore(cert, key), "already triggered under key " + key
          + " (not triggered again)");
    }
    boolean started = ChangeMarks.started(cert, key);
    if (started && triggerLanded(cert, key) && !context.dryRun()) {  // its answer or its record was lost
      Optional<Instant> before = recordedBefore(cert, key);
      String recorded = mark(cert, context, renew.target(), before);
      return verify(cert, context, before, "already triggered under key " + key + " by an attempt whose answer was"
          + " lost (not triggered again)" + recorded);
    }
    Optional<ActionResult> stale = executions.staleToken(context, renew.target(), cert);
    if (stale.isPresent()) {
      return stale.get();
    }
    Optional<Instant> before = started ? recordedBefore(cert, key) : CertManager.notAfter(cert);
    String ns = cert.getMetadata().getNamespace();
    if (context.dryRun()) {
      CertManager.setIssuing(cert, clock.now());
      in(ns).resource(cert).dryRun().updateStatus();
      return executions.result(context, ActionResult.Status.DRY_RUN, "server-side dry run accepted the Issuing"
          + " condition (ManuallyTriggered) on " + CertManager.describe(cert) + "; nothing was re-issued");
    }
    if (!started) {  // the status write cannot carry the key: record its start first (a 409 re-runs this attempt)
      ChangeMarks.markStarted(cert, key);
      Map<String, String> a = new HashMap<>(cert.getMetadata().getAnnotations());
      a.put(PREVIOUS_NOT_AFTER, before.map(Instant::toString).orElse("none"));
      cert.getMetadata().setAnnotations(a);
      cert = in(ns).resource(cert).update();
    }
    CertManager.setIssuing(cert, clock.now());
    GenericKubernetesResource triggered = in(ns).resource(cert).updateStatus();
    String recorded = mark(triggered, context, renew.target(), before);
    return verify(triggered, context, before, "triggered re-issuance (Issuing=True, ManuallyTriggered)"
        + recorded);
  }

  /** Records the key and the notAfter before on the Certificate; retries its own conflicts, never re-triggers. */
  private String mark(GenericKubernetesResource cert, ExecutionContext context, String target,
      Optional<Instant> before) {
    GenericKubernetesResource current = cert;
    for (int i = 0; i < MARK_ATTEMPTS; i++) {
      if (executions.staleToken(context, target, current).isPresent()) {
        return "; a newer fencing token was recorded meanwhile, so this key was not";
      }
      ChangeMarks.mark(current, context, target);
      Map<String, String> a = new HashMap<>(current.getMetadata().getAnnotations());
      a.put(PREVIOUS_NOT_AFTER, before.map(Instant::toString).orElse("none"));
      current.getMetadata().setAnnotations(a);
      try {
        in(current.getMetadata().getNamespace()).resource(current).update();
        return "";
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          return "; the key could not be recorded (HTTP " + e.getCode() + ")";
        }
        current = in(current.getMetadata().getNamespace()).withName(current.getMetadata().getName()).get();
        if (current == null) {
          return "; the Certificate was deleted before the key was recorded";
        }
      }
    }
    return "; the key could not be recorded (HTTP 409 " + MARK_ATTEMPTS + " times)";
  }

  /**
   * Reads the Certificate at once (a quick issuer may have renewed already), then polls with backoff until a notAfter
   * later than {@code before} is seen, a failure is reported, or the bound passes on the executor's clock.
   */
  private ActionResult verify(GenericKubernetesResource cert, ExecutionContext context, Optional<Instant> before,
      String what) {
    String ns = cert.getMetadata().getNamespace();
    String name = cert.getMetadata().getName();
    Poller.Outcome<Optional<GenericKubernetesResource>> o;
    try {
      o = Poller.poll(clock, verifyTimeout, firstPoll, MAX_POLL, () -> Optional.ofNullable(in(ns).withName(name)
          .get()), read -> read.isEmpty() || renewed(read.get(), before) || issuanceFailed(read.get()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return executions.result(context, ActionResult.Status.FAILED, what + ", interrupted while verifying");
    }
    if (o.last() != null && o.last().isEmpty()) {
      return executions.result(context, ActionResult.Status.FAILED, what + ", but " + CertManager.describe(cert)
          + " was deleted while verifying");
    }
    GenericKubernetesResource seen = o.last() == null ? cert : o.last().get();
    Optional<Instant> now = CertManager.notAfter(seen);
    if (o.done() && renewed(seen, before)) {
      return executions.result(context, ActionResult.Status.SUCCEEDED, what + " on " + CertManager.describe(seen)
          + ": notAfter " + before.map(Instant::toString).orElse("(none)") + " -> " + now.orElseThrow());
    }
    if (o.done()) {
      return executions.result(context, ActionResult.Status.FAILED, what + " on " + CertManager.describe(seen)
          + ", but cert-manager reports the issuance failed: " + CertManager.describeConditions(seen));
    }
    return executions.result(context, ActionResult.Status.FAILED, what + " on " + CertManager.describe(seen)
        + ", but no notAfter later than " + before.map(Instant::toString).orElse("(none)") + " within "
        + verifyTimeout.toMillis() + " ms; last seen notAfter " + now.map(Instant::toString).orElse("(none)")
        + ", conditions: " + CertManager.describeConditions(seen) + o.readError());
  }

  /** Whether {@code cert} shows a notAfter later than {@code before} (any notAfter when there was none before). */
  private static boolean renewed(GenericKubernetesResource cert, Optional<Instant> before) {
    Optional<Instant> now = CertManager.notAfter(cert);
    return now.isPresent() && (before.isEmpty() || now.get().isAfter(before.get()));
  }

  /** Whether cert-manager reports the issuance of {@code cert} failed ({@code Issuing=False}, reason Failed). */
  private static boolean issuanceFailed(GenericKubernetesResource cert) {
    Optional<Map<String, Object>> issuing = CertManager.condition(cert, CertManager.ISSUING);
    return issuing.isPresent() && "False".equals(issuing.get().get("status"))
        && "Failed".equals(issuing.get().get("reason"));
  }

  /** The notAfter recorded before the trigger under {@code key}; empty when none was or a later key overwrote it. */
  private static Optional<Instant> recordedBefore(GenericKubernetesResource cert, String key) {
    String v = previousNotAfter(cert, key);
    try {
      return v == null || v.equals("none") ? Optional.empty() : Optional.of(Instant.parse(v));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * {@value #PREVIOUS_NOT_AFTER} when it was written for {@code key}: by its start (the last key started), or by
   * its record on a Certificate marked before starts were recorded; else null.
   */
  private static String previousNotAfter(GenericKubernetesResource cert, String key) {
    Map<String, String> a = cert.getMetadata().getAnnotations();
    if (a == null) {
      return null;
    }
    String writer = ChangeMarks.lastStarted(cert).orElse(a.get(ChangeMarks.IDEMPOTENCY_KEY));
    return key.equals(writer) ? a.get(PREVIOUS_NOT_AFTER) : null;
  }

  /**
   * Whether the trigger of {@code key}, which was started on {@code cert}, reached it: {@code Issuing} is True (an
   * issuance is under way: cert-manager clears it only when it has issued or failed), or the notAfter is later than
   * the one recorded at the start, or another key started since (a trigger came after this one anyway). After a
   * failed issuance ({@code Issuing=False}) it counts as not landed: triggering again retries a failed renewal.
   */
  private static boolean triggerLanded(GenericKubernetesResource cert, String key) {
    if (CertManager.condition(cert, CertManager.ISSUING).map(c -> "True".equals(c.get("status"))).orElse(false)
        || !ChangeMarks.lastStarted(cert).orElse("").equals(key)) {
      return true;
    }
    String v = previousNotAfter(cert, key);
    Optional<Instant> now = CertManager.notAfter(cert);
    return now.isPresent() && (v == null || v.equals("none") || recordedBefore(cert, key).map(b -> now.get()
        .isAfter(b)).orElse(false));
  }

  /**
   * SUCCEEDED when a trigger under {@code idempotencyKey} is recorded on a Certificate in the allowed namespaces (or
   * its start is, and the trigger is seen to have landed) and its notAfter is now later than the one recorded before
   * it; FAILED when triggered but not yet renewed; else empty.
   */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    for (String ns : namespaces.namespaces()) {
      List<GenericKubernetesResource> certs;
      try {
        certs = in(ns).list().getItems();
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return Optional.empty();  // cert-manager is not installed: nothing was ever triggered here
        }
        throw e;
      }
      for (GenericKubernetesResource c : certs) {
        if (ChangeMarks.applied(c, idempotencyKey)
            || (ChangeMarks.started(c, idempotencyKey) && triggerLanded(c, idempotencyKey))) {
          Optional<Instant> before = recordedBefore(c, idempotencyKey);
          Optional<Instant> now = CertManager.notAfter(c);
          boolean renewed = now.isPresent() && (before.isEmpty() || now.get().isAfter(before.get()));
          return Optional.of(executions.result(idempotencyKey, renewed ? ActionResult.Status.SUCCEEDED
              : ActionResult.Status.FAILED, (renewed ? "took effect: " : "triggered but not renewed yet: ") + "key "
              + idempotencyKey + " is recorded on " + CertManager.describe(c) + ", notAfter "
              + now.map(Instant::toString).orElse("(none)")));
        }
      }
    }
    return Optional.empty();
  }

  /** Builds a {@link KubernetesCertificateExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesCertificateExecutor> {
    private Duration verifyTimeout = Duration.ofMinutes(5);
    private Duration firstPoll = Duration.ofMillis(250);

    private Builder(KubernetesClient client) {
      super(client);
    }

    /** How long to wait for the new notAfter after the trigger (default 5 min); then FAILED. */
    public Builder setVerifyTimeout(Duration verifyTimeout) {
      this.verifyTimeout = Require.positive(verifyTimeout, "verifyTimeout");
      return this;
    }

    /** The first pause between reads while verifying (default 250 ms; doubled each time, at most 10 s). */
    public Builder setFirstPoll(Duration firstPoll) {
      this.firstPoll = Require.positive(firstPoll, "firstPoll");
      return this;
    }

    @Override
    KubernetesCertificateExecutor create() {
      return new KubernetesCertificateExecutor(this);
    }
  }
}
