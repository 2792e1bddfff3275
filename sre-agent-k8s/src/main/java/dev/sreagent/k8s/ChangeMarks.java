package dev.sreagent.k8s;

import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The annotations an executor writes on every object it changes, and how they are read back: the incident, the
 * idempotency key of the change, the fencing token it ran under (the last one, and per lock target in
 * {@value #FENCING_TOKENS}, since tokens of different locks are not comparable), and the last
 * {@value #RECENT_KEYS_KEPT} keys (so a redelivered key is recognised even after a later change).
 *
 * <p>An executor whose effect cannot carry these marks in the same write (a command run through {@code pods/exec}, a
 * write to a status subresource) writes first that a change under a key has started ({@value #STARTED_KEYS}), then
 * makes the change, then records it as above. A key started but not recorded is a change whose outcome may be unknown:
 * its answer was lost, or recording it failed; a redelivery of the key must find out or refuse, never repeat it blind.
 */
final class ChangeMarks {
  static final String INCIDENT = "sre-agent.dev/incident";
  static final String IDEMPOTENCY_KEY = "sre-agent.dev/idempotency-key";
  static final String FENCING_TOKEN = "sre-agent.dev/fencing-token";
  static final String RECENT_KEYS = "sre-agent.dev/recent-idempotency-keys";
  /** The fencing token last written under each lock target: {@code urlencoded(target)=token,...}, newest last. */
  static final String FENCING_TOKENS = "sre-agent.dev/fencing-tokens";
  /** The keys of the changes started on the object (see the class comment), newest last. */
  static final String STARTED_KEYS = "sre-agent.dev/started-idempotency-keys";
  static final int TARGETS_KEPT = 10;
  static final int RECENT_KEYS_KEPT = 10;

  private ChangeMarks() {}

  /**
   * The fencing token recorded on {@code object} under lock {@code target}, if any (an unreadable value counts as
   * none). Tokens of different locks are not comparable, so only the target's own is returned.
   */
  static OptionalLong fencingToken(HasMetadata object, String target) {
    String v = tokens(annotations(object)).get(target);
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static Map<String, String> tokens(Map<String, String> annotations) {
    String v = annotations.get(FENCING_TOKENS);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isBlank()) {
      return out;
    }
    for (String pair : v.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), pair.substring(eq + 1));
      }
    }
    return out;
  }

  /** Whether a change under {@code key} is recorded on {@code object}. */
  static boolean applied(HasMetadata object, String key) {
    Map<String, String> a = annotations(object);
    return key.equals(a.get(IDEMPOTENCY_KEY)) || recentKeys(a).contains(key);
  }

  /**
   * Records the change of {@code context}, made under the lock of {@code target}, on {@code object} (its metadata is
   * changed in place).
   */
  static void mark(HasMetadata object, ExecutionContext context, String target) {
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
    Map<String, String> tokens = tokens(a);
    tokens.remove(target);
    tokens.put(target, Long.toString(context.fencingToken()));
    while (tokens.size() > TARGETS_KEPT) {
      tokens.remove(tokens.keySet().iterator().next());
    }
    a.put(FENCING_TOKENS, String.join(",", tokens.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + e.getValue()).toList()));
    meta.setAnnotations(a);
  }

  private static List<String> recentKeys(Map<String, String> annotations) {
    return keys(annotations, RECENT_KEYS);
  }

  private static List<String> keys(Map<String, String> annotations, String name) {
    String v = annotations.get(name);
    return v == null || v.isBlank() ? List.of() : Arrays.asList(v.split(","));
  }

  /**
   * Records on {@code object} (its metadata is changed in place) that a change under {@code key} starts, before the
   * change itself; the last {@value #RECENT_KEYS_KEPT} started keys are kept.
   */
  static void markStarted(HasMetadata object, String key) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> a = meta.getAnnotations() == null ? new HashMap<>() : new HashMap<>(meta.getAnnotations());
    List<String> started = new ArrayList<>(keys(a, STARTED_KEYS));
    started.remove(key);
    started.add(key);
    while (started.size() > RECENT_KEYS_KEPT) {
      started.remove(0);
    }
    a.put(STARTED_KEYS, String.join(",", started));
    meta.setAnnotations(a);
  }

  /** Withdraws the start of {@code key} from {@code object} (in place): the change was certainly not made. */
  static void unmarkStarted(HasMetadata object, String key) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> a = meta.getAnnotations() == null ? new HashMap<>() : new HashMap<>(meta.getAnnotations());
    List<String> started = new ArrayList<>(keys(a, STARTED_KEYS));
    started.remove(key);
    if (started.isEmpty()) {
      a.remove(STARTED_KEYS);
    } else {
      a.put(STARTED_KEYS, String.join(",", started));
    }
    meta.setAnnotations(a);
  }

  /** Whether a change under {@code key} was started on {@code object} ({@link #markStarted}). */
  static boolean started(HasMetadata object, String key) {
    return keys(annotations(object), STARTED_KEYS).contains(key);
  }

  /** The key of the change started last on {@code object}, if any. */
  static Optional<String> lastStarted(HasMetadata object) {
    List<String> started = keys(annotations(object), STARTED_KEYS);
    return started.isEmpty() ? Optional.empty() : Optional.of(started.get(started.size() - 1));
  }

  private static Map<String, String> annotations(HasMetadata object) {
    Map<String, String> a = object.getMetadata() == null ? null : object.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }
}
