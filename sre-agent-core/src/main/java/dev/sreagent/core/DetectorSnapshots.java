package dev.sreagent.core;

import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.DetectorStateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's detector snapshots: at start the detectors are restored from the last snapshot in the
 * {@link DetectorStateStore} when it is at most {@code maxAge} old by the agent's clock, and not taken more than
 * {@link #FUTURE_SKEW} after it (an older one, one of another
 * format version or a damaged one is refused, the reason logged, and the detectors start cold; the agent never fails
 * to start because of it); while it runs, a snapshot is saved every {@code interval} of the agent's clock, from the
 * loop thread, and once more when the agent closes. A save that fails is logged and tried again at the next turn.
 *
 * <p>The snapshot is gzip-compressed (its checksum catches a damaged one): a magic number, the format version
 * ({@value #FORMAT}), then each detector's name and {@link Detector#snapshot()}. Each detector checks its own part on
 * {@link Detector#restore}; one that refuses starts cold while the others resume.
 */
final class DetectorSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);
  /** "SRDS". */
  private static final int MAGIC = 0x53524453;
  /** The envelope's format version. */
  static final int FORMAT = 1;

  private final @Nullable DetectorStateStore store;
  private final String agentId;
  private final Clock clock;
  private final List<Detector> detectors;
  private final Duration interval;
  private final Duration maxAge;
  /**
   * How far a snapshot may be taken after the agent's clock and still be restored (the clocks of the agents that
   * share a store differ a little); one from further ahead is refused: its detectors have seen later samples than
   * any that arrive now.
   */
  static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
  /** Whether this agent shares the work by sharding: every member detects every service, so any member's snapshot
   * covers this agent's services. */
  private final boolean sharded;
  private @Nullable Instant nextSave;

  DetectorSnapshots(@Nullable DetectorStateStore store, String agentId, Clock clock, List<Detector> detectors,
      Duration interval, Duration maxAge) {
    this(store, agentId, clock, detectors, interval, maxAge, false);
  }

  DetectorSnapshots(@Nullable DetectorStateStore store, String agentId, Clock clock, List<Detector> detectors,
      Duration interval, Duration maxAge, boolean sharded) {
    this.store = store;
    this.sharded = sharded;
    this.agentId = agentId;
    this.clock = clock;
    this.detectors = List.copyOf(detectors);
    this.interval = interval;
    this.maxAge = maxAge;
  }

  /**
   * Restores the detectors from the store's last snapshot if it is recent enough and readable.
   *
   * @return the detectors restored (0 when the agent starts cold)
   */
  int restore() {
    if (store == null) {
      return 0;
    }
    Instant now = clock.now();
    nextSave = now.plus(interval);
    Optional<DetectorStateStore.Saved> saved;
    try {
      saved = store.load(agentId);
    } catch (RuntimeException e) {
      LOG.warn("the detector snapshot of agent {} could not be read from {} ({}): the detectors start cold",
          agentId, store, e.toString());
      return 0;
    }
    String from = agentId;
    if (sharded) {
      // a new member, or one replaced under a new id, has no snapshot of its own (or an older one): the group's newest
      // covers every service, since every member detects every service
      try {
        Optional<DetectorStateStore.Latest> newest = store.newest();
        if (newest.isPresent() && !newest.get().agentId().equals(agentId) && (saved.isEmpty()
            || newest.get().snapshot().takenAt().isAfter(saved.get().takenAt()))) {
          from = newest.get().agentId();
          saved = Optional.of(newest.get().snapshot());
          LOG.info("agent {} resumes from the detector snapshot of agent {} of its shard group, newer than its own"
              + " (every member detects every service)", agentId, from);
        }
      } catch (RuntimeException e) {
        LOG.warn("the newest detector snapshot of the shard group could not be read from {} ({}); agent {} uses its"
            + " own, if any", store, e.toString(), agentId);
      }
    }
    if (saved.isEmpty()) {
      LOG.info("no detector snapshot of agent {} in {}: the detectors start cold", agentId, store);
      return 0;
    }
    Duration age = Duration.between(saved.get().takenAt(), now);
    if (age.compareTo(FUTURE_SKEW.negated()) < 0) {
      LOG.warn("the detector snapshot of agent {} in {} was taken at {}, {} after the agent's clock ({}): a clock"
          + " set back, or the snapshot of a later run (a recording replayed again next to the same audit file);"
          + " the detectors start cold", from, store, saved.get().takenAt(), age.negated(), now);
      return 0;
    }
    if (age.compareTo(maxAge) > 0) {
      LOG.warn("the detector snapshot of agent {} in {} was taken at {}, {} ago, more than the {} allowed"
          + " (setDetectorSnapshots): the detectors start cold", from, store, saved.get().takenAt(), age, maxAge);
      return 0;
    }
    Map<String, byte[]> states;
    try {
      states = decode(saved.get().data());
    } catch (IllegalArgumentException e) {
      LOG.warn("the detector snapshot of agent {} in {} is refused: {}; the detectors start cold", from, store,
          e.getMessage());
      return 0;
    }
    int restored = 0;
    Map<String, Detector> byKey = keyed();
    for (Map.Entry<String, Detector> d : byKey.entrySet()) {
      byte[] state = states.get(d.getKey());
      if (state == null) {
        continue;
      }
      try {
        d.getValue().restore(state);
        restored++;
      } catch (RuntimeException e) {
        LOG.warn("detector {} starts cold: its snapshot is refused: {}", d.getKey(), e.getMessage());
      }
    }
    LOG.info("{} detectors of agent {} resumed from the snapshot of agent {} taken at {} ({} ago)", restored, agentId,
        from, saved.get().takenAt(), age);
    return restored;
  }

  /** Saves a snapshot when {@code interval} has passed since the last one (called by the loop after each tick). */
  void maybeSave(Instant now) {
    if (store == null) {
      return;
    }
    if (nextSave == null || !now.isBefore(nextSave)) {
      nextSave = now.plus(interval);
      save(now);
    }
  }

  /** Saves a snapshot now (a clean close); returns whether it was saved. */
  boolean save(Instant now) {
    if (store == null) {
      return false;
    }
    try {
      byte[] data = encode();
      store.save(agentId, new DetectorStateStore.Saved(now, data));
      LOG.debug("detector snapshot of agent {} saved to {} ({} bytes)", agentId, store, data.length);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("saving the detector snapshot of agent {} to {} failed ({}); trying again in {}", agentId, store,
          e.toString(), interval);
      return false;
    }
  }

  /** The detectors by snapshot key: the name, with {@code #2}, {@code #3} for a repeated name. */
  private Map<String, Detector> keyed() {
    Map<String, Detector> out = new LinkedHashMap<>();
    for (Detector d : detectors) {
      String key = d.name();
      for (int i = 2; out.containsKey(key); i++) {
        key = d.name() + "#" + i;
      }
      out.put(key, d);
    }
    return out;
  }

  /** The snapshot of every detector that has one. */
  byte[] encode() {
    List<Map.Entry<String, byte[]>> parts = new ArrayList<>();
    for (Map.Entry<String, Detector> d : keyed().entrySet()) {
      try {
        d.getValue().snapshot().ifPresent(s -> parts.add(Map.entry(d.getKey(), s)));
      } catch (RuntimeException e) {
        LOG.warn("detector {} could not take its snapshot ({}); it will start cold after a restart", d.getKey(),
            e.toString());
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes, 1 << 16))) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(parts.size());
      for (Map.Entry<String, byte[]> p : parts) {
        byte[] name = p.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        out.writeInt(p.getValue().length);
        out.write(p.getValue());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // not thrown by a byte array
    }
    return bytes.toByteArray();
  }

  /**
   * The detectors' states in a snapshot.
   *
   * @throws IllegalArgumentException naming why it cannot be read: not a snapshot, another format version, damaged
   */
  static Map<String, byte[]> decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(data)))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("it is not a detector snapshot (no magic number)");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException("it has format version " + format + ", this agent reads version "
            + FORMAT);
      }
      int n = in.readInt();
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("it is damaged: it claims " + n + " detectors");
      }
      Map<String, byte[]> states = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String name = new String(readBytes(in), StandardCharsets.UTF_8);
        states.put(name, readBytes(in));
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("it is damaged: bytes follow its last detector");
      }
      return states;
    } catch (IOException e) {
      throw new IllegalArgumentException("it is damaged (" + e + ")", e);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > (1 << 30)) {
      throw new IOException("a part of " + len + " bytes");
    }
    return in.readNBytes(len);
  }
}
