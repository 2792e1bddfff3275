package dev.sreagent.gitops;

import dev.sreagent.api.model.Digests;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jspecify.annotations.Nullable;

/**
 * The names and trailers of the agent's rollback branches and commits: the durable record of what was pushed under
 * which idempotency key, read back by {@code reconcile} and before every push.
 *
 * <p>Branch: {@code <prefix><incident>-<key tag>} where the key tag is the first 16 characters of the idempotency key
 * (when it is alphanumeric, else of its SHA-256); a revert of the agent's own rollback (its inverse) is
 * {@code <prefix><incident>-revert-<key tag>}. Trailers (the last paragraph of the message): {@value #INCIDENT},
 * {@value #ACTION} (the action's canonical form, so the inverse finds the commit it undoes), {@value #PLAN_HASH},
 * {@value #LOCK}, {@value #FENCING_TOKEN}, {@value #REVERTS} (a revert only: the commit it reverts), {@value #KEY}.
 */
final class RollbackCommits {
  static final String INCIDENT = "Sre-Agent-Incident";
  static final String PLAN_HASH = "Sre-Agent-Plan-Hash";
  static final String LOCK = "Sre-Agent-Lock";
  static final String FENCING_TOKEN = "Sre-Agent-Fencing-Token";
  static final String KEY = "Sre-Agent-Idempotency-Key";
  static final String ACTION = "Sre-Agent-Action";
  static final String REVERTS = "Sre-Agent-Reverts";

  private RollbackCommits() {}

  /** The branch for a rollback of {@code incidentId} under {@code key}. */
  static String branch(String prefix, String incidentId, String key) {
    return prefix + incidentPart(incidentId) + "-" + keyTag(key);
  }

  /** The branch for the revert (the inverse) of the agent's own rollback of {@code incidentId}, under {@code key}. */
  static String revertBranch(String prefix, String incidentId, String key) {
    return prefix + incidentPart(incidentId) + "-revert-" + keyTag(key);
  }

  private static String incidentPart(String incidentId) {
    String incident = incidentId.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("\\.+", ".");
    if (incident.length() > 40) {
      incident = incident.substring(0, 40);
    }
    incident = incident.replaceAll("^[.-]+|[.-]+$", "");
    return incident.isEmpty() ? "incident" : incident;
  }

  /** The part of a branch name that stands for {@code key}. */
  static String keyTag(String key) {
    String k = key.matches("[A-Za-z0-9]{16,}") ? key : Digests.sha256(key);
    return k.substring(0, 16).toLowerCase(Locale.ROOT);
  }

  /** Whether {@code commit} records a change under {@code key}. */
  static boolean carriesKey(RevCommit commit, String key) {
    return commit.getFooterLines(KEY).stream().map(String::trim).anyMatch(key::equals);
  }

  /** The single value of trailer {@code name} in {@code commit}, if it has exactly one. */
  static java.util.Optional<String> trailer(RevCommit commit, String name) {
    List<String> values = commit.getFooterLines(name);
    return values.size() == 1 ? java.util.Optional.of(values.get(0).trim()) : java.util.Optional.empty();
  }

  /** The fencing token {@code commit} records for lock {@code target}, if any. */
  static OptionalLong fencingToken(RevCommit commit, String target) {
    List<String> locks = commit.getFooterLines(LOCK);
    List<String> tokens = commit.getFooterLines(FENCING_TOKEN);
    if (locks.size() != 1 || tokens.size() != 1 || !locks.get(0).trim().equals(target)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(tokens.get(0).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The message of a rollback commit.
   *
   * @param subject the first line
   * @param body the paragraphs before the trailers
   * @param incidentId the incident
   * @param action the action's canonical form
   * @param planHash the plan's hash, or null when unknown
   * @param lock the lock target the action ran under
   * @param fencingToken its fencing token
   * @param reverts the commit a revert reverts, or null for a rollback
   * @param key the idempotency key
   */
  static String message(String subject, String body, String incidentId, String action, @Nullable String planHash,
      String lock, long fencingToken, @Nullable String reverts, String key) {
    return subject + "\n\n" + body.strip() + "\n\n"
        + INCIDENT + ": " + oneLine(incidentId) + "\n"
        + ACTION + ": " + oneLine(action) + "\n"
        + PLAN_HASH + ": " + (planHash == null ? "unknown" : planHash) + "\n"
        + LOCK + ": " + oneLine(lock) + "\n"
        + FENCING_TOKEN + ": " + fencingToken + "\n"
        + (reverts == null ? "" : REVERTS + ": " + reverts + "\n")
        + KEY + ": " + oneLine(key) + "\n";
  }

  static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }
}
