package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small cert-manager for the tests: after a stored status update carrying {@code Issuing=True} with reason
 * {@code ManuallyTriggered}, it waits {@code delay} and then, through the API like the real controller, either issues
 * (notAfter 90 days past the later of the old notAfter and now, {@code Ready=True}, the Issuing condition removed) or,
 * in {@link Mode#FAIL}, reports {@code Issuing=False} with reason {@code Failed}; in {@link Mode#IGNORE} it does
 * nothing (a controller that is down). It does not emulate CertificateRequests, issuers, secrets or renewal times.
 */
final class CertManagerEmulator implements AutoCloseable {
  /** What it does on a trigger. */
  enum Mode { ISSUE, FAIL, IGNORE }

  static final String FAILURE = "The certificate request has failed to complete and will be retried: ACME order"
      + " rejected: rateLimited";

  private final KubernetesClient client;
  private final ScheduledExecutorService pool = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger issued = new AtomicInteger();
  private volatile Mode mode = Mode.ISSUE;

  CertManagerEmulator(ApiServer api, Duration delay) {
    this.client = api.client;
    api.afterStatusPut((object, body) -> {
      if (body.contains("\"ManuallyTriggered\"") && mode != Mode.IGNORE) {
        pool.schedule(() -> act(object), delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  void mode(Mode mode) {
    this.mode = mode;
  }

  /** How many certificates it issued. */
  int issued() {
    return issued.get();
  }

  private void act(String objectPath) {
    String[] parts = objectPath.split("/");  // /apis/cert-manager.io/v1/namespaces/NS/certificates/NAME
    var resource = client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(parts[5])
        .withName(parts[7]);
    for (int i = 0; i < 5; i++) {
      GenericKubernetesResource cert = resource.get();
      if (cert == null || CertManager.condition(cert, CertManager.ISSUING).map(c -> !"True".equals(c.get("status")))
          .orElse(true)) {
        return;  // deleted, or no longer triggered
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> status = new LinkedHashMap<>((Map<String, Object>) cert.getAdditionalProperties()
          .get("status"));
      List<Map<String, Object>> conditions = new ArrayList<>();
      for (Map<String, Object> c : CertManager.conditions(cert)) {
        if (!CertManager.ISSUING.equals(c.get("type")) && !"Ready".equals(c.get("type"))) {
          conditions.add(c);
        }
      }
      if (mode == Mode.FAIL) {
        conditions.add(Map.of("type", "Issuing", "status", "False", "reason", "Failed", "message", FAILURE));
      } else {
        Instant old = CertManager.notAfter(cert).orElse(Instant.EPOCH);
        Instant base = old.isAfter(Instant.now()) ? old : Instant.now();
        status.put("notAfter", base.plus(Duration.ofDays(90)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toString());
        conditions.add(Map.of("type", "Ready", "status", "True", "reason", "Ready", "message",
            "Certificate is up to date and has not expired"));
      }
      status.put("conditions", conditions);
      cert.setAdditionalProperty("status", status);
      boolean issuing = mode == Mode.ISSUE;
      if (issuing) {
        issued.incrementAndGet();  // before the write: whoever reads the new notAfter sees the count already
      }
      try {
        client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(parts[5]).resource(cert)
            .updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (issuing) {
          issued.decrementAndGet();
        }
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
