package dev.sreagent.jdbc;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.core.audit.AuditChain;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Incidents in table {@code sre_incident}, one row per id holding the incident as the audit log records it (JSON);
 * a save is an upsert that keeps the incident's place, so {@link #all()} is oldest first (first saved first). Every
 * method is one transaction, retried on transient failures within the store's retry window. Thread-safe.
 *
 * <p>Ended incidents that {@link IncidentRetention} deleted are remembered by id (table
 * {@code sre_incident_forgotten}): a later save of one of them ended is ignored, so the agent's start-up replay of
 * the audit log does not bring them back.
 */
public final class JdbcIncidentStore implements IncidentStore {
  private final Database db;

  JdbcIncidentStore(Database db) {
    this.db = db;
  }

  @Override
  public void save(Incident incident) {
    Objects.requireNonNull(incident, "incident");
    String body = AuditChain.incidentJson(incident);
    db.inTransaction("saving incident " + incident.id(), c -> {
      boolean ended = incident.state().isTerminal();
      try (PreparedStatement ps = c.prepareStatement(ended ? "SELECT 1 FROM sre_incident_forgotten WHERE id = ?"
          : "DELETE FROM sre_incident_forgotten WHERE id = ?")) {
        ps.setString(1, incident.id());
        if (ended) {
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return 0; // deleted by IncidentRetention: the replay's re-save does not bring it back
            }
          }
        } else {
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(db.dialect.upsertIncident())) {
        ps.setString(1, incident.id());
        ps.setString(2, incident.state().name());
        ps.setBoolean(3, incident.state().isTerminal());
        ps.setString(4, incident.updatedAt().toString());
        ps.setString(5, body);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Optional<Incident> find(String id) {
    Objects.requireNonNull(id, "id");
    return db.inTransaction("reading incident " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT body FROM sre_incident WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(AuditChain.incidentFromJson(rs.getString(1))) : Optional.<Incident>empty();
        }
      }
    });
  }

  @Override
  public List<Incident> all() {
    return query("reading all incidents", "SELECT body FROM sre_incident ORDER BY created_order");
  }

  /** The incidents not ended, oldest first: a query on the {@code terminal} column. */
  @Override
  public List<Incident> active() {
    return query("reading active incidents",
        "SELECT body FROM sre_incident WHERE terminal = FALSE ORDER BY created_order");
  }

  private List<Incident> query(String what, String sql) {
    return db.inTransaction(what, c -> {
      List<Incident> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(AuditChain.incidentFromJson(rs.getString(1)));
        }
      }
      return List.copyOf(out);
    });
  }

  @Override
  public String toString() {
    return "JdbcIncidentStore[" + db.url + "]";
  }
}
