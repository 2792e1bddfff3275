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
   * A snapshot and the agent that saved it.
   *
   * @param agentId the agent that saved it
   * @param snapshot the snapshot
   */
  record Latest(String agentId, Saved snapshot) {
    /** Checks the arguments. */
    public Latest {
      Require.notBlank(agentId, "agentId");
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /**
   * The newest snapshot saved by any agent in this store (by {@link Saved#takenAt()}), or empty. Agents that share the
   * work by sharding all detect every service, so any member's snapshot covers the services another member owns: a
   * sharded agent resumes from the newest one of its group when it has none of its own, or an older one (a new
   * member, an agent replaced under a new id). The default answers empty (a store that keeps one agent's snapshot,
   * such as the file next to an audit file).
   *
   * @throws RuntimeException when the store cannot be read; the agent then uses its own snapshot, if any
   */
  default Optional<Latest> newest() {
    return Optional.empty();
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
      public Optional<Latest> newest() {
        return saved.entrySet().stream().max(java.util.Comparator.comparing(e -> e.getValue().takenAt()))
            .map(e -> new Latest(e.getKey(), e.getValue()));
      }

      @Override
      public String toString() {
        return "DetectorStateStore.inMemory()";
      }
    };
  }
}
