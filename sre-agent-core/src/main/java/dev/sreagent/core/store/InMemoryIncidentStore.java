package dev.sreagent.core.store;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.port.IncidentStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Incidents in memory, in insertion order. The agent rebuilds it from the audit log on restart. Thread-safe. */
public final class InMemoryIncidentStore implements IncidentStore {
  private final Map<String, Incident> byId = new LinkedHashMap<>();

  @Override
  public synchronized void save(Incident incident) {
    byId.put(incident.id(), incident);
  }

  @Override
  public synchronized Optional<Incident> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public synchronized List<Incident> all() {
    return new ArrayList<>(byId.values());
  }
}
