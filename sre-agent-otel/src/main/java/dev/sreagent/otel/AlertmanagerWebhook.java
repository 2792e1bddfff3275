package dev.sreagent.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.Attributes;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses the Alertmanager webhook payload ({@code webhook_configs}, version 4) into {@link AlertEvent}s. The service
 * comes from the labels {@code service}, {@code app}, {@code app_kubernetes_io_name}, {@code deployment},
 * {@code statefulset}, {@code container}, or the {@code pod} name without its generated suffix, then {@code job}.
 */
public final class AlertmanagerWebhook {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SERVICE_LABELS =
      List.of("service", "app", "app_kubernetes_io_name", "deployment", "statefulset", "container");

  private AlertmanagerWebhook() {}

  /** The alerts of one notification; the exception message says what is wrong. */
  static List<AlertEvent> parse(byte[] body, Instant now) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    }
    if (root == null || !root.path("alerts").isArray()) {
      throw new IOException("not an Alertmanager webhook payload: expected an object with an \"alerts\" array"
          + " (Alertmanager webhook_configs, version 4)");
    }
    List<AlertEvent> out = new ArrayList<>();
    int i = 0;
    for (JsonNode a : root.path("alerts")) {
      String at = "alerts[" + i++ + "]";
      Map<String, String> labels = strings(a.path("labels"));
      Map<String, String> annotations = strings(a.path("annotations"));
      String name = labels.get("alertname");
      if (name == null || name.isBlank()) {
        throw new IOException(at + ".labels.alertname is missing");
      }
      String status = a.path("status").asText(root.path("status").asText("firing"));
      if (!status.equals("firing") && !status.equals("resolved")) {
        throw new IOException(at + ".status must be \"firing\" or \"resolved\", but was \"" + status + "\"");
      }
      boolean firing = status.equals("firing");
      Instant time = time(a.path(firing ? "startsAt" : "endsAt").asText(""), now, at);
      String fingerprint = a.path("fingerprint").asText("");
      if (fingerprint.isBlank()) {
        fingerprint = Integer.toHexString(new TreeMap<>(labels).toString().hashCode());
      }
      String summary = summary(annotations, name, a.path("generatorURL").asText(""));
      out.add(new AlertEvent(time, service(labels), name, firing,
          labels.getOrDefault("severity", "").toLowerCase(Locale.ROOT), labels, summary, fingerprint));
    }
    return out;
  }

  /**
   * What the alert says, for people and for the knowledge-base search: the summary and the description annotations,
   * and the rule's expression when the generator URL carries it (Prometheus puts it in {@code g0.expr}), at most
   * 600 characters.
   */
  public static String summary(Map<String, String> annotations, String name, String generatorUrl) {
    StringBuilder b = new StringBuilder();
    String summary = annotations.getOrDefault("summary", "").strip();
    String description = annotations.getOrDefault("description", annotations.getOrDefault("message", "")).strip();
    b.append(summary.isEmpty() ? (description.isEmpty() ? name : description) : summary);
    if (!summary.isEmpty() && !description.isEmpty()) {
      b.append(" - ").append(description);
    }
    String expr = expression(generatorUrl);
    if (!expr.isEmpty()) {
      b.append("; rule: ").append(expr);
    }
    String text = b.toString().replaceAll("\\s+", " ");
    return text.length() <= 600 ? text : text.substring(0, 600) + "...";
  }

  /** The {@code g0.expr} query parameter of a Prometheus graph URL, decoded; empty if absent or unreadable. */
  static String expression(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return "";
    }
    for (String part : url.substring(q + 1).split("&")) {
      if (part.startsWith("g0.expr=")) {
        try {
          return java.net.URLDecoder.decode(part.substring("g0.expr=".length()),
              java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IllegalArgumentException e) {
          return "";
        }
      }
    }
    return "";
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static Instant time(String text, Instant now, String at) throws IOException {
    if (text.isBlank() || text.startsWith("0001-")) {
      return now;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e2) {
        throw new IOException(at + " has an unreadable time '" + text + "' (RFC 3339 expected)");
      }
    }
  }

  static String service(Map<String, String> labels) {
    for (String k : SERVICE_LABELS) {
      String v = labels.get(k);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    Map<String, String> k8s = new HashMap<>();
    if (labels.containsKey("pod")) {
      k8s.put(Attributes.K8S_POD_NAME, labels.get("pod"));
      return OtlpMapper.serviceOf(k8s);
    }
    String job = labels.get("job");
    return job != null && !job.isBlank() ? job : Attributes.UNKNOWN_SERVICE;
  }
}
