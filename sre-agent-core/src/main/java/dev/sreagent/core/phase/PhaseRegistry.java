package dev.sreagent.core.phase;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** The phase in force per incident type. Thread-safe. Changes are made (and audited) by the agent. */
public final class PhaseRegistry {
  private final Phase defaultPhase;
  private final Map<IncidentType, Phase> phases = new ConcurrentHashMap<>();

  public PhaseRegistry(Phase defaultPhase, Map<IncidentType, Phase> initial) {
    this.defaultPhase = Objects.requireNonNull(defaultPhase, "defaultPhase");
    phases.putAll(initial);
  }

  /** The phase for {@code type}. */
  public Phase phaseFor(IncidentType type) {
    return phases.getOrDefault(type, defaultPhase);
  }

  /** Sets the phase for {@code type}. */
  public void set(IncidentType type, Phase phase) {
    phases.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(phase, "phase"));
  }

  /** Snapshot of explicit per-type phases. */
  public Map<IncidentType, Phase> snapshot() {
    return Map.copyOf(phases);
  }
}
