package dev.sreagent.core.audit;

import static dev.sreagent.core.audit.AuditAssessment.broken;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.model.Digests;
import dev.sreagent.core.audit.AuditAssessment.Kind;
import dev.sreagent.core.internal.Json;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The record-by-record check of a {@link HashChainedAuditLog}'s lines, without the head: every hash matches its
 * content, sequence numbers run 1, 2, 3, ..., every record points at its predecessor; without a key no record is
 * keyed, with one every record names it and its MAC verifies. The first bad record makes the verdict
 * {@link Kind#BROKEN}, or {@link Kind#KEY} when record 1 shows the log keyed otherwise than the agent.
 */
final class AuditChainCheck {
  private static final Pattern KID = Pattern.compile("[0-9a-f]{16}");

  private AuditChainCheck() {}

  /** The verdict on {@code lines}: {@link Kind#INTACT} when every record checks out. */
  static AuditAssessment check(List<String> lines, @Nullable AuditKey key) {
    String prev = AuditRecord.GENESIS;
    long n = 0;
    int size = lines.size();
    for (String line : lines) {
      n++;
      AuditLine s = AuditLine.split(line);
      if (s == null) {
        return broken(size, n, "record " + n + " has no hash");
      }
      if (!Digests.sha256(s.body()).equals(s.hash())) {
        return broken(size, n, "record " + n + " was edited (hash mismatch)");
      }
      JsonNode node;
      try {
        node = Json.tree(s.body());
      } catch (IOException e) {
        return broken(size, n, "record " + n + " is not JSON");
      }
      if (node.path("seq").asLong(-1) != n) {
        return broken(size, n,
            "record " + n + " has sequence " + node.path("seq").asText() + " (deleted, inserted or reordered)");
      }
      if (!prev.equals(node.path("prev").asText())) {
        return broken(size, n,
            "record " + n + " does not follow record " + (n - 1) + " (deleted, inserted or reordered)");
      }
      @Nullable String alg = node.has("alg") ? node.path("alg").asText() : null;
      String kid = node.path("kid").asText("");
      @Nullable AuditAssessment keying = key == null ? unkeyed(size, n, alg, kid, s) : keyed(size, n, alg, kid, s, key);
      if (keying != null) {
        return keying;
      }
      prev = s.hash();
    }
    return AuditAssessment.of(Kind.INTACT, AuditVerification.ok(size));
  }

  /** In a log without a key, record {@code n} must name no algorithm ({@code alg}) nor carry a MAC; null if so. */
  private static @Nullable AuditAssessment unkeyed(int size, long n, @Nullable String alg, String kid, AuditLine s) {
    if (alg != null) {
      String problem = "record " + n + " is keyed (" + alg + ", key id " + kid + ") but no audit key is configured;"
          + " configure the key it was written with (setAuditKey, audit.key-file or audit.key-env) to check it";
      return n == 1 ? AuditAssessment.of(Kind.KEY, AuditVerification.broken(size, n, "the log is keyed: " + problem))
          : broken(size, n, problem + " (an unkeyed log does not contain keyed records: forged or spliced)");
    }
    if (s.mac() != null) {
      return broken(size, n, "record " + n + " carries a MAC but its content names no algorithm (edited)");
    }
    return null;
  }

  /** In a log with {@code key}, record {@code n} must name its algorithm and id and its MAC verify; null if so. */
  private static @Nullable AuditAssessment keyed(int size, long n, @Nullable String alg, String kid, AuditLine s,
      AuditKey key) {
    if (alg == null) {
      return n == 1 ? AuditAssessment.of(Kind.KEY, AuditVerification.broken(size, n, "the log was written without a"
          + " key (record 1 has no MAC), but a key is configured (" + key + "); a keyed agent does not continue"
          + " an unkeyed log, or anyone could append records to it. To migrate, move the log and its head aside"
          + " (they still verify without a key) and start again: the new log is keyed from record 1"))
          : broken(size, n, "record " + n + " has no MAC: it was not written with the key (forged, or appended by"
              + " an agent without the key)");
    }
    if (!AuditKey.ALGORITHM.equals(alg)) {
      return broken(size, n, "record " + n + " names the MAC algorithm '" + alg + "', but keyed logs use "
          + AuditKey.ALGORITHM);
    }
    if (!KID.matcher(kid).matches()) {
      return broken(size, n, "record " + n + " names no valid key id (edited)");
    }
    if (!key.id().equals(kid)) {
      return n == 1 ? AuditAssessment.of(Kind.KEY, AuditVerification.broken(size, n, "record 1 was written with"
          + " another key (key id " + kid + "; the configured key's id is " + key.id() + "): configure the key the"
          + " log was written with, or move the log and its head aside to start a new one (when no other key was"
          + " ever used, record 1 was edited)"))
          : broken(size, n, "record " + n + " names another key (key id " + kid + "; the log's is " + key.id()
              + "): forged or spliced");
    }
    if (!key.verifies(s.body(), s.mac())) {
      return broken(size, n, "record " + n + (s.mac() == null ? " has no MAC" : "'s MAC does not verify with"
          + " the key") + ": edited or forged by someone without the key");
    }
    return null;
  }
}
