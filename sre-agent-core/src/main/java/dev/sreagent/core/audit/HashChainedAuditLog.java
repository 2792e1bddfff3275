package dev.sreagent.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.Require;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.model.Digests;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.Clock;
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
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * <p><b>Keyed logs</b> ({@link Builder#setKey(AuditKey)}): every record names the algorithm and the key's id in its
 * hashed content ({@code "alg":"hmac-sha256","kid":"..."}, right after {@code seq}) and ends with
 * {@code ,"mac":"..."}, the HMAC-SHA256 of the same content; the head carries a MAC too. Someone who can write the
 * files but does not hold the key can then neither append, edit nor re-chain records, nor cut the end and rewrite
 * the head. An agent with a key refuses an unkeyed log or one keyed with another key; an agent without a key
 * refuses a keyed log.
 *
 * <p><b>The head.</b> Appends are flushed to disk ({@code fsync}) before the head is replaced and before
 * {@link #append} returns; a torn last line left by a crash (no trailing newline) was never acknowledged and is
 * dropped on open. A record not covered by the head is never accepted silently: in a keyed log, one record beyond
 * the head whose MAC verifies is the trace of a crash between the append and the head update, and is recovered with
 * an {@link AuditTypes#AUDIT_TAIL_RECOVERED} record and a warning; anything else (a missing or unreadable head, a
 * head lagging in an unkeyed log, or by more than one record) refuses to open unless an operator accepts it with
 * {@link Builder#acceptUnverifiedTail(String, String)}, which is audited as {@link AuditTypes#AUDIT_TAIL_ACCEPTED}.
 *
 * <p>What neither mode detects: someone holding the key, and a rollback of both files to an earlier consistent
 * copy (keep a copy of the head elsewhere to detect that, see the README's threat model).
 */
public final class HashChainedAuditLog implements AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(HashChainedAuditLog.class);
  private static final String HASH_MARK = ",\"hash\":\"";
  private static final Pattern TAIL = Pattern.compile("([0-9a-f]{64})\"(?:,\"mac\":\"([0-9a-f]{64})\")?}");
  private static final Pattern KID = Pattern.compile("[0-9a-f]{16}");
  private static final String HEAD_MAC_PREFIX = "sre-agent audit head ";
  private static final int LISTED = 3;

  private final @Nullable Path file;
  private final @Nullable AuditKey key;
  private final Clock clock;
  private @Nullable FileChannel channel;
  private final List<String> lines = new ArrayList<>();
  private String lastHash = AuditRecord.GENESIS;

  private HashChainedAuditLog(Builder b) {
    this.file = b.file;
    this.key = b.key;
    this.clock = b.clock;
    if (file == null) {
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      openFile(file, b.operator, b.reason);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit log " + file + ": " + e.getMessage(), e);
    }
  }

  /** A log kept in memory only (lost when the process ends). */
  public static HashChainedAuditLog inMemory() {
    return builder().build();
  }

  /**
   * Opens (or creates) the unkeyed log at {@code file}, replaying what is there; the same as
   * {@code builder().setFile(file).build()}.
   *
   * @throws IllegalStateException when the existing chain is broken, or records are not covered by the head: the
   *     agent refuses to build on a tampered log
   */
  public static HashChainedAuditLog open(Path file) {
    return builder().setFile(file).build();
  }

  /** A builder: in memory, unkeyed, the system clock, nothing accepted. */
  public static Builder builder() {
    return new Builder();
  }

  /** The file, or null for an in-memory log. */
  public @Nullable Path file() {
    return file;
  }

  /** Whether records carry an HMAC made with an {@link AuditKey}. */
  public boolean keyed() {
    return key != null;
  }

  /**
   * The last sequence number and hash (and, in a keyed log, the head's MAC): what {@code <file>.head} holds. Copy it
   * somewhere the agent's host cannot rewrite to detect a later rollback of log and head together.
   */
  public synchronized Head head() {
    return headFor(lines.size(), lastHash, key);
  }

  // ---------------------------------------------------------------- opening

  private void openFile(Path f, @Nullable String operator, @Nullable String reason) throws IOException {
    Head head = readHead(f);
    if (!Files.exists(f)) {
      if (head != null && head.sequence() != 0) {
        throw new IllegalStateException("audit log " + f + " is missing, but its head " + headFile(f)
            + (head.sequence() < 0 ? " exists (unreadable)" : " says it held " + head.sequence() + " record(s)")
            + ": the log was deleted or moved. Restore it from a backup, or move the head aside too to start a new"
            + " log.");
      }
      writeHead(f, headFor(0, AuditRecord.GENESIS, key)); // the head exists before the first record can
      this.channel = openChannel(f);
      return;
    }
    String content = Files.readString(f, StandardCharsets.UTF_8);
    List<String> read = new ArrayList<>(List.of(content.split("\n", -1)));
    // the element after the last '\n' is "" for a clean file, or a torn line
    String torn = read.remove(read.size() - 1);
    read.removeIf(String::isEmpty);
    Assessment a = assess(read, head, key);
    switch (a.kind()) {
      case BROKEN -> throw new IllegalStateException("audit log " + f + " is broken at record "
          + a.verification().firstBadSequence() + ": " + a.verification().problem() + ". Restore it (and its head "
          + headFile(f).getFileName() + ") from a backup, or move both aside to start a new chain.");
      case KEY -> throw new IllegalStateException("audit log " + f + ": " + a.verification().problem());
      case UNCOVERED -> {
        if (operator == null || reason == null) {
          throw new IllegalStateException("audit log " + f + ": " + a.verification().problem() + ". "
              + waysForward());
        }
      }
      default -> { }
    }
    if (!torn.isEmpty()) {
      LOG.warn("audit log {}: dropping a torn last line left by a crash ({} chars, never acknowledged)", f,
          torn.length());
      Files.writeString(f, content.substring(0, content.length() - torn.length()), StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
    lines.addAll(read);
    if (!lines.isEmpty()) {
      lastHash = hashOf(lines.get(lines.size() - 1));
    }
    this.channel = openChannel(f);
    String oldHead = head == null ? "missing" : describe(head);
    String newHead = lines.size() + " " + lastHash;
    switch (a.kind()) {
      case INTACT -> {
        if (head == null || !Objects.equals(head, head())) {
          writeHead(f, head()); // an empty log without a head, or with an unkeyed one that a key now covers
        }
        if (operator != null) {
          LOG.info("audit log {}: intact, nothing to accept (the acceptance by {} was not needed)", f, operator);
        }
      }
      case CRASH_TAIL -> {
        String problem = a.verification().problem();
        LOG.warn("audit log {}: {}; recovered and audited", f, problem);
        appendLine(AuditEvents.toEntry(new AuditEvent.AuditTailRecovered(a.uncovered(), problem, oldHead, newHead),
            clock.now()));
      }
      case UNCOVERED -> {
        String problem = a.verification().problem();
        LOG.warn("audit log {}: {}; accepted by operator {}: {}", f, problem, operator, reason);
        appendLine(AuditEvents.toEntry(new AuditEvent.AuditTailAccepted(Objects.requireNonNull(operator),
            Objects.requireNonNull(reason), a.uncovered(), problem, oldHead, newHead), clock.now()));
      }
      default -> throw new IllegalStateException("unreachable: " + a.kind());
    }
  }

  private String waysForward() {
    String accept = "Check the record(s), then either accept them explicitly (acceptUnverifiedTail(operator, reason)"
        + " on HashChainedAuditLog.builder(), acceptUnverifiedAuditTail(operator, reason) on SreAgent.builder(), or"
        + " sre-agent run --accept-audit-tail REASON; the acceptance is itself audited), or restore the log and its"
        + " head from a backup.";
    return key != null ? accept : accept + " Keyed logs recover a crash between an append and the head update by"
        + " themselves, because only the key's holder can write a record whose MAC verifies: for the future, move this"
        + " log aside and configure an audit key (setAuditKey, audit.key-file or audit.key-env).";
  }

  private static FileChannel openChannel(Path f) throws IOException {
    return FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  // ---------------------------------------------------------------- appending

  @Override
  public synchronized AuditRecord append(AuditEntry entry) {
    return appendLine(entry);
  }

  private AuditRecord appendLine(AuditEntry entry) {
    long seq = lines.size() + 1L;
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
    node.put("prev", lastHash);
    String body = Json.write(node);
    String hash = Digests.sha256(body);
    String line = body.substring(0, body.length() - 1) + HASH_MARK + hash + "\""
        + (key != null ? ",\"mac\":\"" + key.mac(body) + "\"" : "") + "}";
    FileChannel ch = channel;
    if (ch != null && file != null) {
      try {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
        writeHead(file, headFor(seq, hash, key));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to audit log " + file + ": " + e.getMessage(), e);
      }
    }
    String previous = lastHash;
    lines.add(line);
    lastHash = hash;
    return new AuditRecord(seq, entry, previous, hash);
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

  /**
   * Checks the log as it is on disk (in memory for an in-memory log): the chain, in a keyed log every MAC, and the
   * head. Records the head does not cover, or a missing head, make it not intact.
   */
  @Override
  public synchronized AuditVerification verify() {
    if (file != null) {
      try {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<String> onDisk = new ArrayList<>(List.of(content.split("\n", -1)));
        String torn = onDisk.remove(onDisk.size() - 1);
        onDisk.removeIf(String::isEmpty);
        if (!torn.isEmpty()) {
          return AuditVerification.broken(onDisk.size(), onDisk.size() + 1L, "record " + (onDisk.size() + 1)
              + " is an incomplete line (no newline at the end of the log)");
        }
        return assess(onDisk, readHead(file), key).verification();
      } catch (IOException e) {
        return AuditVerification.broken(0, 1, "cannot read " + file + ": " + e.getMessage());
      }
    }
    return assess(lines, head(), key).verification();
  }

  // ---------------------------------------------------------------- verification

  /**
   * The last sequence number and hash as recorded apart from the lines, and in a keyed log the HMAC over both.
   *
   * @param sequence the number of records the head covers ({@code -1} when the head file is unreadable)
   * @param hash the hash of the last covered record ({@link AuditRecord#GENESIS} when it covers none)
   * @param mac the head's HMAC in a keyed log, otherwise null
   */
  public record Head(long sequence, String hash, @Nullable String mac) {
    /** An unkeyed head. */
    public Head(long sequence, String hash) {
      this(sequence, hash, null);
    }
  }

  /** As {@link #verifyLines(List, Head, AuditKey)} for an unkeyed log. */
  public static AuditVerification verifyLines(List<String> lines, @Nullable Head head) {
    return verifyLines(lines, head, null);
  }

  /**
   * Checks a chain of lines: every hash matches its content, every record points at its predecessor, sequence
   * numbers run 1, 2, 3, ...; with a {@code key}, every record is keyed with it and its MAC verifies, and so does the
   * head's; and the head covers exactly the last record. A missing head ({@code null}) with records, or records
   * beyond the head, make the log not intact: nothing shows that they were not cut or forged.
   */
  public static AuditVerification verifyLines(List<String> lines, @Nullable Head head, @Nullable AuditKey key) {
    return assess(lines, head, key).verification();
  }

  private enum Kind { INTACT, BROKEN, KEY, UNCOVERED, CRASH_TAIL }

  /** The verdict on a log; {@code uncovered} lists the records the head does not cover (or the last ones). */
  private record Assessment(Kind kind, AuditVerification verification, String uncovered) {
    static Assessment of(Kind kind, AuditVerification v) {
      return new Assessment(kind, v, "");
    }
  }

  private static Assessment assess(List<String> lines, @Nullable Head head, @Nullable AuditKey key) {
    Assessment chain = checkChain(lines, key);
    if (chain.kind() != Kind.INTACT) {
      return chain;
    }
    int n = lines.size();
        if (head == null || head.sequence() < 0 || key != null && !key.verifies(headText(head), head.mac())) {
      if (n == 0) {
        return Assessment.of(Kind.INTACT, AuditVerification.ok(0));
      }
      String what = head == null ? "the head file is missing" : head.sequence() < 0 ? "the head file is unreadable"
          : head.mac() == null ? "the head has no MAC (it was written without the key)"
          : "the head's MAC does not verify with the key (it was written without the key)";
      String listed = summarize(lines, key != null ? n : 1, n);
      if (key != null) {
        return new Assessment(Kind.UNCOVERED, AuditVerification.broken(n, n + 1L, what + ": the " + n
            + " record(s) verify with the key, but nothing shows whether record " + (n + 1) + " and later were cut"
            + " off the end (the log ends at " + listed + ")"), listed);
      }
      return new Assessment(Kind.UNCOVERED, AuditVerification.broken(n, 1, what + ", so nothing vouches for the "
          + n + " record(s) from record 1 on: records may have been cut off the end, or forged ones appended ("
          + listed + ")"), listed);
    }
    if (key == null && head.mac() != null) {
      return Assessment.of(Kind.KEY, AuditVerification.broken(n, 1, "the log is keyed (its head carries a MAC),"
          + " but no audit key is configured; configure the key it was written with (setAuditKey, audit.key-file or"
          + " audit.key-env) to open it"));
    }
    long s = head.sequence();
    if (s > n) {
      return Assessment.of(Kind.BROKEN, AuditVerification.broken(n, n + 1L, (s == n + 1 ? "record " + s + " is"
          : "record " + (n + 1) + " to " + s + " are") + " missing: the log ends at record " + n + " but the head says "
          + s + " (records cut off the end, or the head was edited)"));
    }
    String covered = s == 0 ? AuditRecord.GENESIS : hashOf(lines.get((int) s - 1));
    if (!covered.equals(head.hash())) {
      return Assessment.of(Kind.BROKEN, AuditVerification.broken(n, Math.max(s, 1), "the head says record " + s
          + " has hash " + abbreviate(head.hash()) + ", but it has " + abbreviate(covered)
          + " (the head or the log was rewritten)"));
    }
    if (s == n) {
      return Assessment.of(Kind.INTACT, AuditVerification.ok(n));
    }
    String listed = summarize(lines, (int) s + 1, n);
    if (key != null && s == n - 1) {
      return new Assessment(Kind.CRASH_TAIL, AuditVerification.broken(n, s + 1, "the head lags 1 record behind ("
          + listed + "): a crash between the append and the head update; the record's MAC verifies, so opening the"
          + " log with the key recovers it"), listed);
    }
    String why = key != null ? "a crash leaves at most one record behind the head, so this is not a crash tail"
        : "without a key, a crash between an append and the head update looks the same as a forged append";
    return new Assessment(Kind.UNCOVERED, AuditVerification.broken(n, s + 1, (n - s) + " record(s) not covered"
        + " by the head, which says " + s + " (" + listed + "); " + why), listed);
  }

  private static Assessment checkChain(List<String> lines, @Nullable AuditKey key) {
    String prev = AuditRecord.GENESIS;
    long n = 0;
    int size = lines.size();
    for (String line : lines) {
      n++;
      Split s = split(line);
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
      String alg = node.has("alg") ? node.path("alg").asText() : null;
      String kid = node.path("kid").asText("");
      if (key == null) {
        if (alg != null) {
          String problem = "record " + n + " is keyed (" + alg + ", key id " + kid + ") but no audit key is configured;"
              + " configure the key it was written with (setAuditKey, audit.key-file or audit.key-env) to check it";
          return n == 1 ? Assessment.of(Kind.KEY, AuditVerification.broken(size, n, "the log is keyed: " + problem))
              : broken(size, n, problem + " (an unkeyed log does not contain keyed records: forged or spliced)");
        }
        if (s.mac() != null) {
          return broken(size, n, "record " + n + " carries a MAC but its content names no algorithm (edited)");
        }
      } else {
        if (alg == null) {
          return n == 1 ? Assessment.of(Kind.KEY, AuditVerification.broken(size, n, "the log was written without a"
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
          return n == 1 ? Assessment.of(Kind.KEY, AuditVerification.broken(size, n, "record 1 was written with"
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
      }
      prev = s.hash();
    }
    return Assessment.of(Kind.INTACT, AuditVerification.ok(size));
  }

  private static Assessment broken(long records, long at, String problem) {
    return Assessment.of(Kind.BROKEN, AuditVerification.broken(records, at, problem));
  }

  /** A line cut into its hashed content, its hash and its MAC. */
  private record Split(String body, String hash, @Nullable String mac) {}

  private static @Nullable Split split(String line) {
    int mark = line.lastIndexOf(HASH_MARK);
    if (mark < 0) {
      return null;
    }
    Matcher m = TAIL.matcher(line);
    if (!m.region(mark + HASH_MARK.length(), line.length()).matches()) {
      return null;
    }
    return new Split(line.substring(0, mark) + "}", m.group(1), m.group(2));
  }

  /** The hash of a line that passed {@link #checkChain}. */
  private static String hashOf(String line) {
    return Objects.requireNonNull(split(line), "a checked line").hash();
  }

  /** "4 phase.changed at 2026-... by alice" for records {@code from..to} (1-based), the last few when many. */
  private static String summarize(List<String> lines, int from, int to) {
    StringBuilder sb = new StringBuilder();
    int first = Math.max(from, to - LISTED + 1);
    if (first > from) {
      sb.append("record ").append(from).append(" to ").append(to).append(", the last ").append(LISTED).append(": ");
    }
    for (int i = first; i <= to; i++) {
      if (i > first) {
        sb.append("; ");
      }
      sb.append("record ").append(i);
      try {
        JsonNode node = Json.tree(lines.get(i - 1));
        sb.append(' ').append(node.path("type").asText()).append(" at ").append(node.path("ts").asText())
            .append(" by ").append(node.path("actor").asText());
      } catch (IOException e) {
        sb.append(" (unreadable)");
      }
    }
    return sb.toString();
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) + "..." : hash;
  }

  private static String describe(Head head) {
    return head.sequence() < 0 ? "unreadable" : head.sequence() + " " + head.hash()
        + (head.mac() != null ? " " + head.mac() : "");
  }

  private static AuditRecord parse(String line) {
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

  // ---------------------------------------------------------------- the head file

  private static String headText(Head head) {
    return HEAD_MAC_PREFIX + head.sequence() + " " + head.hash();
  }

  private static Head headFor(long sequence, String hash, @Nullable AuditKey key) {
    Head plain = new Head(sequence, hash);
    return key == null ? plain : new Head(sequence, hash, key.mac(headText(plain)));
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
    if (parts.length != 2 && parts.length != 3) {
      return new Head(-1, "unreadable");
    }
    try {
      long seq = Long.parseLong(parts[0]);
      return seq < 0 ? new Head(-1, "unreadable") : new Head(seq, parts[1], parts.length == 3 ? parts[2] : null);
    } catch (NumberFormatException e) {
      return new Head(-1, "unreadable");
    }
  }

  private static void writeHead(Path f, Head head) throws IOException {
    Path h = headFile(f);
    Path tmp = h.resolveSibling(h.getFileName() + ".tmp");
    Files.writeString(tmp, describe(head) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, h, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public synchronized void close() {
    FileChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.warn("closing audit log {} failed", file, e);
      }
    }
  }

  /** Builder of {@link HashChainedAuditLog}; {@link #build()} opens the file and can run again. */
  public static final class Builder {
    private @Nullable Path file;
    private @Nullable AuditKey key;
    private @Nullable String operator;
    private @Nullable String reason;
    private Clock clock = Clock.system();

    private Builder() {}

    /** Keep the log in {@code file} (and its head in {@code <file>.head}); default: in memory. */
    public Builder setFile(Path file) {
      if (this.file != null) {
        throw new IllegalStateException("file was already set to " + this.file);
      }
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Keys the log: every record and the head carry an HMAC-SHA256 made with {@code key}. A new log is keyed from
     * record 1; an existing log must have been written with the same key.
     */
    public Builder setKey(AuditKey key) {
      if (this.key != null) {
        throw new IllegalStateException("key was already set to " + this.key);
      }
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * An operator's explicit acceptance of records the head does not cover (a missing or unreadable head, or a head
     * that lags behind the log): the log opens, the acceptance is appended as an
     * {@link AuditTypes#AUDIT_TAIL_ACCEPTED} record by {@code operator} with the reason, the records accepted and
     * the old and new head, and logged as a warning. It never accepts a broken chain, a bad MAC or a cut end.
     */
    public Builder acceptUnverifiedTail(String operator, String reason) {
      if (this.operator != null) {
        throw new IllegalStateException("acceptUnverifiedTail was already called by operator '" + this.operator
            + "'");
      }
      this.operator = Require.notBlank(operator, "operator");
      this.reason = Require.notBlank(reason, "reason");
      return this;
    }

    /** The clock that stamps the records the log writes itself (acceptance, recovery); default the system clock. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the log.
     *
     * @throws IllegalStateException when the existing log is broken, keyed differently from this builder, or has
     *     records its head does not cover that nobody accepted; the message names the record and the way forward
     * @throws UncheckedIOException when the file cannot be read or written
     */
    public HashChainedAuditLog build() {
      return new HashChainedAuditLog(this);
    }
  }
}
