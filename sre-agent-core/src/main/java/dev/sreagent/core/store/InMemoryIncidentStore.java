package dev.sreagent.core.store;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.port.IncidentStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Incidents in memory, in insertion order. Every active incident is kept; of the ended ones, the newest
 * {@link #DEFAULT_MAX_ENDED} (their whole history stays in the audit log, from which the agent rebuilds this store on
 * restart). Thread-safe.
 */
public final class InMemoryIncidentStore implements IncidentStore {
  /** Ended incidents kept by default. */
  public static final int DEFAULT_MAX_ENDED = 10_000;

  private final int maxEnded;
  private final Map<String, Incident> byId = new LinkedHashMap<>();
  private final Set<String> ended = new LinkedHashSet<>();

  /** Keeping the newest {@link #DEFAULT_MAX_ENDED} ended incidents. */
  public InMemoryIncidentStore() {
    this(DEFAULT_MAX_ENDED);
  }

  /** Keeping the newest {@code maxEnded} ended incidents. */
  public InMemoryIncidentStore(int maxEnded) {
    this.maxEnded = Require.atLeast(maxEnded, 1, "maxEnded");
  }

  @Override
  public synchronized void save(Incident incident) {
    byId.put(incident.id(), incident);
    if (incident.state().isTerminal() && ended.add(incident.id())) {
      Iterator<String> oldest = ended.iterator();
      while (ended.size() > maxEnded) {
        byId.remove(oldest.next());
        oldest.remove();
      }
    }
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
