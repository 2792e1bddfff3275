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
 * {@value #APPLIED_KEPT} idempotency keys applied, three to a tag over {@code sre-agent:applied},
 * {@code sre-agent:applied:2}, ... (so a redelivered key changes nothing and {@code reconcile} finds a lost attempt), the last {@value #STARTED_KEPT} keys started (written before the change: a key started and not
 * applied is a change whose outcome is in doubt), and the fencing token per lock target.
 *
 * <p>ECS tags allow 50 per resource, keys of 1 to 128 and values of at most 256 characters of letters, digits,
 * spaces and {@code _ . : / = + - @}: keys are 64 hexadecimal digits, so values list them separated by spaces, and a
 * started key carries the primary deployment seen before the change ({@code KEY@ecs-svc/123...}), which tells a
 * redelivered restart whether its new deployment was made. At most {@value #TAGS_NEEDED} tags are used: a change is
 * refused before anything is written when the service's own tags leave no room for them.
 */
final class EcsMarks {
  static final String INCIDENT = "sre-agent:incident";
  static final String APPLIED = "sre-agent:applied";
  /** The tags the applied keys are spread over ({@value #KEYS_PER_TAG} to a tag: a value holds 256 characters). */
  static final List<String> APPLIED_TAGS = List.of(APPLIED, APPLIED + ":2", APPLIED + ":3", APPLIED + ":4");
  static final int KEYS_PER_TAG = 3;
  static final String STARTED = "sre-agent:started";
  static final String FENCE_PREFIX = "sre-agent:fence:";
  static final int APPLIED_KEPT = 10;
  /** The most tags the executors write on a service: started, incident, the applied keys, three lock targets. */
  static final int TAGS_NEEDED = 2 + 4 + 3;
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
    return appliedKeys(tags).contains(key);
  }

  /** The applied keys recorded, oldest first. */
  static List<String> appliedKeys(Map<String, String> tags) {
    List<String> out = new ArrayList<>();
    for (String t : APPLIED_TAGS) {
      out.addAll(words(tags.get(t)));
    }
    return out;
  }

  /** How many tags the service would carry with the executors' own tags added (those of {@code target} included). */
  static int tagsWithOurs(Map<String, String> tags, String target) {
    java.util.Set<String> keys = new java.util.HashSet<>(tags.keySet());
    keys.addAll(List.of(STARTED, INCIDENT, fenceKey(target)));
    int applied = Math.min(APPLIED_TAGS.size(), (appliedKeys(tags).size() + KEYS_PER_TAG) / KEYS_PER_TAG);
    keys.addAll(APPLIED_TAGS.subList(0, Math.max(1, applied)));
    return keys.size();
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

  /** The tags that record {@code key} as applied for {@code incident} (the applied keys over their tags). */
  static Map<String, String> applied(Map<String, String> tags, String key, String incident) {
    List<String> applied = new ArrayList<>(appliedKeys(tags));
    applied.remove(key);
    applied.add(key);
    while (applied.size() > APPLIED_KEPT) {
      applied.remove(0);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < applied.size(); i += KEYS_PER_TAG) {
      out.put(APPLIED_TAGS.get(i / KEYS_PER_TAG), String.join(" ",
          applied.subList(i, Math.min(i + KEYS_PER_TAG, applied.size()))));
    }
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
