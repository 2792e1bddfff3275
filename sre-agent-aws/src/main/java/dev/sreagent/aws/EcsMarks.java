package dev.sreagent.aws;

import dev.sreagent.api.model.Digests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The tags an ECS executor writes on every service it changes, and how they are read back: the incident (written with
 * the start, so whoever watches the service can attribute the change at once), the last
 * {@value #APPLIED_KEPT} idempotency keys applied (so a redelivered key changes nothing and {@code reconcile} finds a
 * lost attempt), the last {@value #STARTED_KEPT} keys started (written before the change: a key started and not
 * applied is a change whose outcome is in doubt), and the fencing token per lock target.
 *
 * <p>ECS tags allow 50 per resource, keys of 1 to 128 and values of at most 256 characters of letters, digits,
 * spaces and {@code _ . : / = + - @}: keys are 64 hexadecimal digits, so values list them separated by spaces, and a
 * started key carries the primary deployment seen before the change ({@code KEY@ecs-svc/123...}), which tells a
 * redelivered restart whether its new deployment was made. At most 3 + one per lock target tags are used.
 */
final class EcsMarks {
  static final String INCIDENT = "sre-agent:incident";
  static final String APPLIED = "sre-agent:applied";
  static final String STARTED = "sre-agent:started";
  static final String FENCE_PREFIX = "sre-agent:fence:";
  static final int APPLIED_KEPT = 3;
  static final int STARTED_KEPT = 2;
  private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{N} _.:/=+\\-@]{1,128}");

  private EcsMarks() {}

  /** The tag key holding the fencing token of lock {@code target}. */
  static String fenceKey(String target) {
    String k = FENCE_PREFIX + target;
    return TAG_KEY.matcher(k).matches() ? k : FENCE_PREFIX + Digests.sha256(target).substring(0, 40);
  }

  static OptionalLong fencingToken(Map<String, String> tags, String target) {
    String v = tags.get(fenceKey(target));
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.strip()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static boolean applied(Map<String, String> tags, String key) {
    return words(tags.get(APPLIED)).contains(key);
  }

  /** The primary deployment recorded when {@code key} started, if it started (empty string when none was recorded). */
  static Optional<String> started(Map<String, String> tags, String key) {
    for (String w : words(tags.get(STARTED))) {
      int at = w.indexOf('@');
      if ((at < 0 ? w : w.substring(0, at)).equals(key)) {
        return Optional.of(at < 0 ? "" : w.substring(at + 1));
      }
    }
    return Optional.empty();
  }

  /** The tags that record the start of {@code key} (with the primary deployment seen) and its fencing token. */
  static Map<String, String> start(Map<String, String> tags, String key, String primaryDeployment, String target,
      long token, String incident) {
    List<String> started = new ArrayList<>(words(tags.get(STARTED)));
    started.removeIf(w -> w.equals(key) || w.startsWith(key + "@"));
    started.add(primaryDeployment.isEmpty() ? key : key + "@" + primaryDeployment);
    while (started.size() > STARTED_KEPT) {
      started.remove(0);
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put(STARTED, String.join(" ", started));
    out.put(fenceKey(target), Long.toString(token));
    out.put(INCIDENT, tagValue(incident));
    return out;
  }

  /** The tags that record {@code key} as applied for {@code incident}. */
  static Map<String, String> applied(Map<String, String> tags, String key, String incident) {
    List<String> applied = new ArrayList<>(words(tags.get(APPLIED)));
    applied.remove(key);
    applied.add(key);
    while (applied.size() > APPLIED_KEPT) {
      applied.remove(0);
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put(APPLIED, String.join(" ", applied));
    out.put(INCIDENT, tagValue(incident));
    return out;
  }

  /** The started list without {@code key} (empty when nothing else started). */
  static String withoutStarted(Map<String, String> tags, String key) {
    List<String> started = new ArrayList<>(words(tags.get(STARTED)));
    started.removeIf(w -> w.equals(key) || w.startsWith(key + "@"));
    return String.join(" ", started);
  }

  private static String tagValue(String v) {
    String clean = v.replaceAll("[^\\p{L}\\p{N} _.:/=+\\-@]", "_");
    return clean.length() > 256 ? clean.substring(0, 256) : clean;
  }

  private static List<String> words(String v) {
    return v == null || v.isBlank() ? List.of() : Arrays.asList(v.strip().split(" +"));
  }
}
