package dev.sreagent.core.audit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
    return AuditHeadFile.headFor(lines.size(), lastHash, key);
  }

  // ---------------------------------------------------------------- opening

  private void openFile(Path f, @Nullable String operator, @Nullable String reason) throws IOException {
    Head head = AuditHeadFile.read(f);
    if (!Files.exists(f)) {
      AuditLogOpening.checkMissing(f, head);
      // the head exists before the first record can
      AuditHeadFile.write(f, AuditHeadFile.headFor(0, AuditRecord.GENESIS, key));
      this.channel = openChannel(f);
      return;
    }
    AuditLogOpening.Admitted admitted = AuditLogOpening.admit(f, head, key, operator, reason);
    AuditAssessment a = admitted.assessment();
    lines.addAll(admitted.lines());
    if (!lines.isEmpty()) {
      lastHash = AuditLine.hashOf(lines.get(lines.size() - 1));
    }
    this.channel = openChannel(f);
    String oldHead = head == null ? "missing" : AuditHeadFile.describe(head);
    String newHead = lines.size() + " " + lastHash;
    switch (a.kind()) {
      case INTACT -> {
        if (head == null || !Objects.equals(head, head())) {
          AuditHeadFile.write(f, head()); // an empty log without a head, or with an unkeyed one that a key now covers
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
    AuditLine parts = AuditLine.of(seq, entry, lastHash, key);
    String hash = parts.hash();
    String line = parts.text();
    FileChannel ch = channel;
    if (ch != null && file != null) {
      try {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
        AuditHeadFile.write(file, AuditHeadFile.headFor(seq, hash, key));
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
      out.add(AuditLine.parse(line));
    }
    return out;
  }

  @Override
  public synchronized List<AuditRecord> recordsAfter(long afterSequence) {
    int from = (int) Math.max(0, Math.min(afterSequence, lines.size()));
    List<AuditRecord> out = new ArrayList<>(lines.size() - from);
    for (String line : lines.subList(from, lines.size())) {
      out.add(AuditLine.parse(line));
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
        AuditLogFile disk = AuditLogFile.read(file);
        List<String> onDisk = disk.lines();
        if (!disk.torn().isEmpty()) {
          return AuditVerification.broken(onDisk.size(), onDisk.size() + 1L, "record " + (onDisk.size() + 1)
              + " is an incomplete line (no newline at the end of the log)");
        }
        return AuditAssessment.assess(onDisk, AuditHeadFile.read(file), key).verification();
      } catch (IOException e) {
        return AuditVerification.broken(0, 1, "cannot read " + file + ": " + e.getMessage());
      }
    }
    return AuditAssessment.assess(lines, head(), key).verification();
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
    return AuditAssessment.assess(lines, head, key).verification();
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
