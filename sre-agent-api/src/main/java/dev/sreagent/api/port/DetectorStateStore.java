package dev.sreagent.api.port;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where an agent keeps the snapshot of its detectors' learned state, so that a restarted agent resumes detection
 * without a new warm-up: one snapshot per agent id, each save replacing the previous one. The agent encodes and checks
 * the bytes (format version, integrity, age); a store only keeps them. Implementations: {@link #inMemory()} (tests),
 * the core's file next to the audit file (the embedded default), the JDBC store's table.
 */
public interface DetectorStateStore {
  /**
   * A saved snapshot.
   *
   * @param takenAt the agent clock's time when it was taken
   * @param data the encoded snapshot, opaque to the store
   */
  record Saved(Instant takenAt, byte[] data) {
    /** Checks the arguments (the array is kept as given, not copied). */
    public Saved {
      Objects.requireNonNull(takenAt, "takenAt");
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * The last snapshot saved for {@code agentId}, or empty when there is none.
   *
   * @throws RuntimeException when the store cannot be read; the agent then starts cold and logs it
   */
  Optional<Saved> load(String agentId);

  /**
   * Replaces the snapshot of {@code agentId}: after it returns, {@link #load} returns this one (or a later one).
   *
   * @throws RuntimeException when the store cannot be written; the agent logs it and tries again at the next turn
   */
  void save(String agentId, Saved snapshot);

  /** A store in this process's memory (tests, and agents restarted within one JVM). Thread-safe. */
  static DetectorStateStore inMemory() {
    ConcurrentHashMap<String, Saved> saved = new ConcurrentHashMap<>();
    return new DetectorStateStore() {
      @Override
      public Optional<Saved> load(String agentId) {
        return Optional.ofNullable(saved.get(Require.notBlank(agentId, "agentId")));
      }

      @Override
      public void save(String agentId, Saved snapshot) {
        saved.put(Require.notBlank(agentId, "agentId"), Objects.requireNonNull(snapshot, "snapshot"));
      }

      @Override
      public String toString() {
        return "DetectorStateStore.inMemory()";
      }
    };
  }
}
