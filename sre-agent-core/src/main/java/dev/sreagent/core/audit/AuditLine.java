package dev.sreagent.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Digests;
import dev.sreagent.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One line of a {@link HashChainedAuditLog}, cut into its hashed content ({@code body}, a JSON object), the SHA-256
 * of that content and, in a keyed log, its HMAC: the layout on disk, written by {@link #of} and {@link #text()}, cut
 * apart again by {@link #split} and read back into an {@link AuditRecord} by {@link #parse}. It checks nothing:
 * {@link AuditChainCheck} does.
 */
record AuditLine(String body, String hash, @Nullable String mac) {
  private static final String HASH_MARK = ",\"hash\":\"";
  private static final Pattern TAIL = Pattern.compile("([0-9a-f]{64})\"(?:,\"mac\":\"([0-9a-f]{64})\")?}");

  /** The line for record {@code seq} holding {@code entry} after the record whose hash is {@code prev}. */
  static AuditLine of(long seq, AuditEntry entry, String prev, @Nullable AuditKey key) {
    ObjectNode node = Json.objectNode();
    node.put("seq", seq);
    if (key != null) {
      node.put("alg", AuditKey.ALGORITHM);
      node.put("kid", key.id());
    }
    node.put("ts", entry.timestamp().toString());
    node.put("type", entry.type());
    if (entry.incidentId() != null) {
      node.put("incident", entry.incidentId());
    } else {
      node.putNull("incident");
    }
    node.put("actor", entry.actor());
    ObjectNode data = node.putObject("data");
    new TreeMap<>(entry.data()).forEach(data::put);
    node.put("prev", prev);
    String body = Json.write(node);
    return new AuditLine(body, Digests.sha256(body), key != null ? key.mac(body) : null);
  }

  /** The line as written to the file (without its newline): the content, then {@code "hash"} and {@code "mac"}. */
  String text() {
    return body.substring(0, body.length() - 1) + HASH_MARK + hash + "\""
        + (mac != null ? ",\"mac\":\"" + mac + "\"" : "") + "}";
  }

  /** The line cut apart, or null when it does not end in a well-formed hash (and MAC). */
  static @Nullable AuditLine split(String line) {
    int mark = line.lastIndexOf(HASH_MARK);
    if (mark < 0) {
      return null;
    }
    Matcher m = TAIL.matcher(line);
    if (!m.region(mark + HASH_MARK.length(), line.length()).matches()) {
      return null;
    }
    return new AuditLine(line.substring(0, mark) + "}", m.group(1), m.group(2));
  }

  /** The hash of a line that passed {@link AuditChainCheck#check}. */
  static String hashOf(String line) {
    return Objects.requireNonNull(split(line), "a checked line").hash();
  }

  /** The record a line holds. */
  static AuditRecord parse(String line) {
    try {
      JsonNode n = Json.tree(line);
      Map<String, String> data = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : n.path("data").properties()) {
        data.put(e.getKey(), e.getValue().asText());
      }
      JsonNode incident = n.path("incident");
      AuditEntry entry = new AuditEntry(Instant.parse(n.path("ts").asText()), n.path("type").asText(),
          incident.isNull() || incident.isMissingNode() ? null : incident.asText(), n.path("actor").asText(), data);
      return new AuditRecord(n.path("seq").asLong(), entry, n.path("prev").asText(), n.path("hash").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable audit line: " + e.getMessage(), e);
    }
  }
}
