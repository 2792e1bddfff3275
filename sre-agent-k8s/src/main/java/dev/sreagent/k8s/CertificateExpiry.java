package dev.sreagent.k8s;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A cert-manager {@code Certificate} as the SDK's {@link MetricNames#CERTIFICATE_TIME_TO_EXPIRY} gauge: seconds from
 * now to its {@code status.notAfter} (negative once expired), with the attributes the certificate-expiry detector and
 * the renew action read: {@value Attributes#TLS_CERTIFICATE} = {@code namespace/name} (what
 * {@link KubernetesCertificateExecutor} finds it by), {@value Attributes#K8S_NAMESPACE}, and the service that serves
 * it.
 *
 * <p>The service: the workload (Deployment or StatefulSet, in the Certificate's namespace) whose pod template mounts
 * the Certificate's {@code spec.secretName} (a secret volume, or a projected volume's secret source), named as
 * {@link PodOwners} names it; else the Certificate's service label; else the Certificate's own name. A Certificate
 * without a readable {@code status.notAfter} (not issued yet) gives no sample.
 */
final class CertificateExpiry {
  private CertificateExpiry() {}

  /** The gauge of {@code cert} at {@code now}, or empty when it has no readable {@code status.notAfter}. */
  static Optional<MetricSample> sample(GenericKubernetesResource cert, ClusterInformers.Namespace in,
      PodOwners owners, String serviceLabel, Instant now) {
    return CertManager.notAfter(cert).map(notAfter -> new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY,
        Duration.between(now, notAfter).toSeconds(), now, Map.of(
            Attributes.SERVICE_NAME, service(cert, in, owners, serviceLabel),
            Attributes.TLS_CERTIFICATE, cert.getMetadata().getNamespace() + "/" + cert.getMetadata().getName(),
            Attributes.K8S_NAMESPACE, cert.getMetadata().getNamespace())));
  }

  /** The service that serves {@code cert} (see the class comment). */
  static String service(GenericKubernetesResource cert, ClusterInformers.Namespace in, PodOwners owners,
      String serviceLabel) {
    String secret = secretName(cert);
    if (secret != null) {
      List<HasMetadata> workloads = new ArrayList<>(in.deployments().getStore().list());
      workloads.addAll(in.statefulSets().getStore().list());
      for (HasMetadata w : workloads) {
        if (mounts(Workloads.template(w).getSpec(), secret)) {
          return owners.service(w);
        }
      }
    }
    Map<String, String> labels = cert.getMetadata().getLabels();
    String labelled = labels == null ? null : labels.get(serviceLabel);
    return labelled != null && !labelled.isBlank() ? labelled : cert.getMetadata().getName();
  }

  private static boolean mounts(@Nullable PodSpec spec, String secret) {
    if (spec == null || spec.getVolumes() == null) {
      return false;
    }
    for (Volume v : spec.getVolumes()) {
      if (v.getSecret() != null && secret.equals(v.getSecret().getSecretName())) {
        return true;
      }
      if (v.getProjected() != null && v.getProjected().getSources() != null) {
        for (VolumeProjection p : v.getProjected().getSources()) {
          if (p.getSecret() != null && secret.equals(p.getSecret().getName())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static @Nullable String secretName(GenericKubernetesResource cert) {
    Object spec = cert.getAdditionalProperties().get("spec");
    Object name = spec instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("secretName") : null;
    return name == null ? null : Objects.toString(name);
  }
}
