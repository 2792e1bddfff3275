package dev.sreagent.k8s;

import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The annotations an executor writes on every object it changes, and how they are read back: the incident, the
 * idempotency key of the change, the fencing token it ran under, and the last {@value #RECENT_KEYS_KEPT} keys (so a
 * redelivered key is recognised even after a later change).
 */
final class ChangeMarks {
  static final String INCIDENT = "sre-agent.dev/incident";
  static final String IDEMPOTENCY_KEY = "sre-agent.dev/idempotency-key";
  static final String FENCING_TOKEN = "sre-agent.dev/fencing-token";
  static final String RECENT_KEYS = "sre-agent.dev/recent-idempotency-keys";
  static final int RECENT_KEYS_KEPT = 10;

  private ChangeMarks() {}

  /** The fencing token recorded on {@code object}, if any (an unreadable value counts as none). */
  static OptionalLong fencingToken(HasMetadata object) {
    String v = annotations(object).get(FENCING_TOKEN);
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Whether a change under {@code key} is recorded on {@code object}. */
  static boolean applied(HasMetadata object, String key) {
    Map<String, String> a = annotations(object);
    return key.equals(a.get(IDEMPOTENCY_KEY)) || recentKeys(a).contains(key);
  }

  /** Records the change of {@code context} on {@code object} (its metadata is changed in place). */
  static void mark(HasMetadata object, ExecutionContext context) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> a = meta.getAnnotations() == null ? new HashMap<>() : new HashMap<>(meta.getAnnotations());
    List<String> recent = new ArrayList<>(recentKeys(a));
    recent.remove(context.idempotencyKey());
    recent.add(context.idempotencyKey());
    while (recent.size() > RECENT_KEYS_KEPT) {
      recent.remove(0);
    }
    a.put(INCIDENT, context.incidentId());
    a.put(IDEMPOTENCY_KEY, context.idempotencyKey());
    a.put(FENCING_TOKEN, Long.toString(context.fencingToken()));
    a.put(RECENT_KEYS, String.join(",", recent));
    meta.setAnnotations(a);
  }

  private static List<String> recentKeys(Map<String, String> annotations) {
    String v = annotations.get(RECENT_KEYS);
    return v == null || v.isBlank() ? List.of() : Arrays.asList(v.split(","));
  }

  private static Map<String, String> annotations(HasMetadata object) {
    Map<String, String> a = object.getMetadata() == null ? null : object.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }
}
