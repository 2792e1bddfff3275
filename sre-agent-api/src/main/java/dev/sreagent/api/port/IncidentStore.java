package dev.sreagent.api.port;

import dev.sreagent.api.model.Incident;
import java.util.List;
import java.util.Optional;

/** Keeps incidents by id. */
public interface IncidentStore {
  /** Inserts or replaces. */
  void save(Incident incident);

  /** The incident with {@code id}. */
  Optional<Incident> find(String id);

  /** Every incident, oldest first. */
  List<Incident> all();

  /** Incidents not in a terminal state, oldest first. */
  default List<Incident> active() {
    return all().stream().filter(i -> !i.state().isTerminal()).toList();
  }
}
