package dev.sreagent.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.model.Digests;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded audit log: one JSON object per line, each carrying the SHA-256 of its own content and of the
 * previous line, so any edit, deletion, insertion or reordering breaks the chain and {@link #verify()} names the
 * first bad record. A sidecar {@code <file>.head} holds the last sequence number and hash, so cutting records off
 * the end is detected too.
 *
 * <p>Line layout (the hash covers everything before {@code ,"hash"}):
 * <pre>{"seq":1,"ts":"...","type":"...","incident":"...","actor":"agent","data":{...},"prev":"000..."
 * ,"hash":"ab12..."}</pre>
 *
 * <p>Appends are flushed to disk ({@code fsync}) before {@link #append} returns. A torn last line left by a crash
 * (no trailing newline) was never acknowledged and is dropped on open.
 */
public final class HashChainedAuditLog implements AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(HashChainedAuditLog.class);
  private static final String HASH_MARK = ",\"hash\":\"";

  private final @Nullable Path file;
  private final @Nullable FileChannel channel;
  private final List<String> lines = new ArrayList<>();
  private String lastHash = AuditRecord.GENESIS;

  private HashChainedAuditLog(@Nullable Path file) {
    this.file = file;
    if (file == null) {
      this.channel = null;
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (Files.exists(file)) {
        loadExisting(file);
      }
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit log " + file + ": " + e.getMessage(), e);
    }
  }

  /** A log kept in memory only (lost when the process ends). */
  public static HashChainedAuditLog inMemory() {
    return new HashChainedAuditLog(null);
  }

  /**
   * Opens (or creates) the log at {@code file}, replaying what is there.
   *
   * @throws IllegalStateException when the existing chain is broken: the agent refuses to build on a tampered log
   */
  public static HashChainedAuditLog open(Path file) {
    return new HashChainedAuditLog(file);
  }

  /** The file, or null for an in-memory log. */
  public @Nullable Path file() {
    return file;
  }

  private void loadExisting(Path f) throws IOException {
    String content = Files.readString(f, StandardCharsets.UTF_8);
    List<String> read = new ArrayList<>(List.of(content.split("\n", -1)));
    // the element after the last '\n' is "" for a clean file, or a torn line
    String tail = read.remove(read.size() - 1);
    if (!tail.isEmpty()) {
      LOG.warn("audit log {}: dropping a torn last line left by a crash ({} chars, never acknowledged)", f,
          tail.length());
      Files.writeString(f, content.substring(0, content.length() - tail.length()), StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
    read.removeIf(String::isEmpty);
    Head head = readHead(f);
    AuditVerification v = verifyLines(read, null);
    if (v.intact() && head != null && !read.isEmpty() && head.sequence() == read.size() - 1L
        && (read.size() == 1 ? AuditRecord.GENESIS : hashOf(read.get(read.size() - 2))).equals(head.hash())) {
      LOG.warn("audit log {}: head lagged one record behind (crash between append and head update); repaired", f);
      writeHead(f, read.size(), hashOf(read.get(read.size() - 1)));
    } else if (v.intact()) {
      v = verifyLines(read, head);
    }
    if (!v.intact()) {
      throw new IllegalStateException("audit log " + f + " is broken at record " + v.firstBadSequence() + ": "
          + v.problem() + ". Restore it from a backup, or move it aside to start a new chain.");
    }
    lines.addAll(read);
    if (!lines.isEmpty()) {
      lastHash = hashOf(lines.get(lines.size() - 1));
    }
  }

  @Override
  public synchronized AuditRecord append(AuditEntry entry) {
    long seq = lines.size() + 1L;
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("seq", seq);
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
    node.put("prev", lastHash);
    String body = Json.write(node);
    String hash = Digests.sha256(body);
    String line = body.substring(0, body.length() - 1) + HASH_MARK + hash + "\"}";
    if (channel != null && file != null) {
      try {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
        channel.force(false);
        writeHead(file, seq, hash);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to audit log " + file + ": " + e.getMessage(), e);
      }
    }
    lines.add(line);
    lastHash = hash;
    return new AuditRecord(seq, entry, hashOfPrev(node), hash);
  }

  private static String hashOfPrev(ObjectNode node) {
    return node.get("prev").asText();
  }

  @Override
  public synchronized List<AuditRecord> records() {
    List<AuditRecord> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      out.add(parse(line));
    }
    return out;
  }

  @Override
  public synchronized List<AuditRecord> recordsAfter(long afterSequence) {
    int from = (int) Math.max(0, Math.min(afterSequence, lines.size()));
    List<AuditRecord> out = new ArrayList<>(lines.size() - from);
    for (String line : lines.subList(from, lines.size())) {
      out.add(parse(line));
    }
    return out;
  }

  /** The raw lines, in order (for export and tests). */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public synchronized AuditVerification verify() {
    if (file != null) {
      try {
        List<String> onDisk = Files.readAllLines(file, StandardCharsets.UTF_8);
        onDisk.removeIf(String::isEmpty);
        return verifyLines(onDisk, readHead(file));
      } catch (IOException e) {
        return AuditVerification.broken(0, 1, "cannot read " + file + ": " + e.getMessage());
      }
    }
    return verifyLines(lines, new Head(lines.size(), lastHash));
  }

  /** The last sequence number and hash, as recorded apart from the lines. */
  public record Head(long sequence, String hash) {}

  /**
   * Checks a chain of lines: every hash matches its content, every record points at its predecessor, sequence
   * numbers run 1, 2, 3, ... and the last record matches {@code head} when one is given.
   */
  public static AuditVerification verifyLines(List<String> lines, @Nullable Head head) {
    String prev = AuditRecord.GENESIS;
    long n = 0;
    for (String line : lines) {
      n++;
      int mark = line.lastIndexOf(HASH_MARK);
      if (mark < 0 || !line.endsWith("\"}")) {
        return AuditVerification.broken(lines.size(), n, "record " + n + " has no hash");
      }
      String body = line.substring(0, mark) + "}";
      String stated = line.substring(mark + HASH_MARK.length(), line.length() - 2);
      if (!Digests.sha256(body).equals(stated)) {
        return AuditVerification.broken(lines.size(), n, "record " + n + " was edited (hash mismatch)");
      }
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(body);
      } catch (IOException e) {
        return AuditVerification.broken(lines.size(), n, "record " + n + " is not JSON");
      }
      if (node.path("seq").asLong(-1) != n) {
        return AuditVerification.broken(lines.size(), n,
            "record " + n + " has sequence " + node.path("seq").asText() + " (deleted, inserted or reordered)");
      }
      if (!prev.equals(node.path("prev").asText())) {
        return AuditVerification.broken(lines.size(), n,
            "record " + n + " does not follow record " + (n - 1) + " (deleted, inserted or reordered)");
      }
      prev = stated;
    }
    if (head != null) {
      boolean matches = head.sequence() == n && head.hash().equals(prev);
      if (!matches) {
        return AuditVerification.broken(lines.size(), Math.min(n, head.sequence()) + 1, "the log ends at record "
            + n + " but the head says " + head.sequence() + " (records cut off the end, or the head was edited)");
      }
    }
    return AuditVerification.ok(lines.size());
  }

  private static AuditRecord parse(String line) {
    try {
      JsonNode n = Json.MAPPER.readTree(line);
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

  private static String hashOf(String line) {
    int mark = line.lastIndexOf(HASH_MARK);
    return line.substring(mark + HASH_MARK.length(), line.length() - 2);
  }

  private static Path headFile(Path f) {
    return f.resolveSibling(f.getFileName() + ".head");
  }

  private static @Nullable Head readHead(Path f) throws IOException {
    Path h = headFile(f);
    if (!Files.exists(h)) {
      return null;
    }
    String[] parts = Files.readString(h, StandardCharsets.UTF_8).trim().split(" ");
    if (parts.length != 2) {
      return new Head(-1, "unreadable");
    }
    try {
      return new Head(Long.parseLong(parts[0]), parts[1]);
    } catch (NumberFormatException e) {
      return new Head(-1, "unreadable");
    }
  }

  private static void writeHead(Path f, long seq, String hash) throws IOException {
    Path h = headFile(f);
    Path tmp = h.resolveSibling(h.getFileName() + ".tmp");
    Files.writeString(tmp, seq + " " + hash + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, h, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("closing audit log {} failed", file, e);
      }
    }
  }
}
