package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.DetectorStateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Detector snapshots in the JDBC store (table {@code sre_detector_state}, one row per agent id, replaced by each save
 * in one transaction), so an agent restarted on another host resumes detection from the database. Get it from
 * {@link JdbcStores#detectorStateStore()}. Transient failures are retried within the store's retry window; the agent
 * logs a save that still fails and tries again at its next snapshot.
 */
public final class JdbcDetectorStateStore implements DetectorStateStore {
  private final Database db;

  JdbcDetectorStateStore(Database db) {
    this.db = db;
  }

  /**
   * {@inheritDoc}
   *
   * @throws JdbcStoreException when the database cannot be read
   */
  @Override
  public Optional<Saved> load(String agentId) {
    Require.notBlank(agentId, "agentId");
    return db.inTransaction("reading the detector snapshot of agent " + agentId, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT taken_at, state FROM sre_detector_state WHERE agent_id = ?")) {
        ps.setString(1, agentId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(new Saved(Instant.parse(rs.getString(1)), rs.getBytes(2)));
        }
      }
    });
  }

  /**
   * {@inheritDoc} Reads every agent's time (one row per agent) and then the newest one's bytes.
   *
   * @throws JdbcStoreException when the database cannot be read
   */
  @Override
  public Optional<Latest> newest() {
    return db.inTransaction("reading the newest detector snapshot", c -> {
      String newest = null;
      Instant at = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT agent_id, taken_at FROM sre_detector_state");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Instant t = Instant.parse(rs.getString(2)); // ISO text: compared as instants, not as strings
          if (at == null || t.isAfter(at)) {
            at = t;
            newest = rs.getString(1);
          }
        }
      }
      if (newest == null) {
        return Optional.<Latest>empty();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT taken_at, state FROM sre_detector_state WHERE agent_id = ?")) {
        ps.setString(1, newest);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Latest(newest, new Saved(Instant.parse(rs.getString(1)), rs.getBytes(2))))
              : Optional.<Latest>empty();
        }
      }
    });
  }

  /**
   * {@inheritDoc}
   *
   * @throws JdbcStoreException when the database cannot be written
   */
  @Override
  public void save(String agentId, Saved snapshot) {
    Require.notBlank(agentId, "agentId");
    Objects.requireNonNull(snapshot, "snapshot");
    db.inTransaction("saving the detector snapshot of agent " + agentId, c -> {
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE sre_detector_state SET taken_at = ?, state = ? WHERE agent_id = ?")) {
        up.setString(1, snapshot.takenAt().toString());
        up.setBytes(2, snapshot.data());
        up.setString(3, agentId);
        if (up.executeUpdate() == 1) {
          return null;
        }
      }
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO sre_detector_state (agent_id, taken_at, state) VALUES (?, ?, ?)")) {
        ins.setString(1, agentId);
        ins.setString(2, snapshot.takenAt().toString());
        ins.setBytes(3, snapshot.data());
        ins.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public String toString() {
    return "the table sre_detector_state of " + db.url;
  }
}
