package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cert-manager's {@code Certificate} ({@code cert-manager.io/v1}) as a generic resource: its {@code status.notAfter}
 * and conditions, and the re-issuance trigger of {@code cmctl renew}, which sets the condition {@code Issuing} to
 * {@code True} with reason {@code ManuallyTriggered} and writes it through the status subresource. The resource type
 * is named explicitly (group, version, plural, namespaced), so no discovery request is made.
 */
final class CertManager {
  /** The Certificate resource type. */
  static final ResourceDefinitionContext CERTIFICATES = new ResourceDefinitionContext.Builder()
      .withGroup("cert-manager.io").withVersion("v1").withKind("Certificate").withPlural("certificates")
      .withNamespaced(true).build();
  static final String ISSUING = "Issuing";
  /** The reason {@code cmctl renew} gives; cert-manager's trigger controller then re-issues. */
  static final String MANUALLY_TRIGGERED = "ManuallyTriggered";
  static final String TRIGGER_MESSAGE = "Certificate re-issuance manually triggered";

  private CertManager() {}

  /** {@code status.notAfter}, if present and readable (RFC 3339). */
  static Optional<Instant> notAfter(GenericKubernetesResource cert) {
    Object v = status(cert).get("notAfter");
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(v.toString()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** {@code status.conditions}, each as read. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> conditions(GenericKubernetesResource cert) {
    Object v = status(cert).get("conditions");
    if (!(v instanceof List<?> list)) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list) {
      if (o instanceof Map<?, ?> m) {
        out.add((Map<String, Object>) m);
      }
    }
    return out;
  }

  /** The condition of {@code type}, if any. */
  static Optional<Map<String, Object>> condition(GenericKubernetesResource cert, String type) {
    return conditions(cert).stream().filter(c -> type.equals(c.get("type"))).findFirst();
  }

  /**
   * Sets the {@code Issuing} condition as {@code cmctl renew} does (status True, reason ManuallyTriggered; the
   * transition time kept when it was True already), in place.
   */
  static void setIssuing(GenericKubernetesResource cert, Instant now) {
    Map<String, Object> status = new LinkedHashMap<>(status(cert));
    List<Map<String, Object>> conditions = new ArrayList<>();
    Object since = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Map<String, Object> c : conditions(cert)) {
      if (ISSUING.equals(c.get("type"))) {
        if ("True".equals(c.get("status")) && c.get("lastTransitionTime") != null) {
          since = c.get("lastTransitionTime");
        }
      } else {
        conditions.add(c);
      }
    }
    Map<String, Object> issuing = new LinkedHashMap<>();
    issuing.put("type", ISSUING);
    issuing.put("status", "True");
    issuing.put("reason", MANUALLY_TRIGGERED);
    issuing.put("message", TRIGGER_MESSAGE);
    issuing.put("lastTransitionTime", since);
    if (cert.getMetadata().getGeneration() != null) {
      issuing.put("observedGeneration", cert.getMetadata().getGeneration());
    }
    conditions.add(issuing);
    status.put("conditions", conditions);
    cert.setAdditionalProperty("status", status);
  }

  /** "Ready=False (Expired: the cert has expired); Issuing=True (ManuallyTriggered: ...)", or "no conditions". */
  static String describeConditions(GenericKubernetesResource cert) {
    List<String> parts = conditions(cert).stream().map(c -> c.get("type") + "=" + c.get("status") + " ("
        + c.get("reason") + ": " + c.get("message") + ")").toList();
    return parts.isEmpty() ? "no conditions" : String.join("; ", parts);
  }

  /** "certificate shop/cart-tls". */
  static String describe(GenericKubernetesResource cert) {
    return "certificate " + cert.getMetadata().getNamespace() + "/" + cert.getMetadata().getName();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource cert) {
    Object v = cert.getAdditionalProperties().get("status");
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
