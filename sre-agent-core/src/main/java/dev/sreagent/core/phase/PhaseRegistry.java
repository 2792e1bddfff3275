package dev.sreagent.core.phase;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The phase in force per incident type, optionally narrowed to one service: a service-scoped phase wins over the
 * type's, which wins over the default. Thread-safe. Changes are made (and audited) by the agent.
 */
public final class PhaseRegistry {
  private final Phase defaultPhase;
  private final Map<String, Phase> phases = new ConcurrentHashMap<>();

  public PhaseRegistry(Phase defaultPhase, Map<IncidentType, Phase> initial) {
    this.defaultPhase = Objects.requireNonNull(defaultPhase, "defaultPhase");
    initial.forEach((t, p) -> phases.put(key(t, null), p));
  }

  private static String key(IncidentType type, @Nullable String service) {
    return service == null ? type.name() : type.name() + "@" + service;
  }

  /** The phase for {@code type} in general. */
  public Phase phaseFor(IncidentType type) {
    return phases.getOrDefault(key(type, null), defaultPhase);
  }

  /** The phase for {@code type} on {@code service}: the service scope, else the type, else the default. */
  public Phase phaseFor(IncidentType type, String service) {
    Phase scoped = phases.get(key(type, service));
    return scoped != null ? scoped : phaseFor(type);
  }

  /** Sets the phase for {@code type}, or only for {@code service} when given. */
  public void set(IncidentType type, @Nullable String service, Phase phase) {
    phases.put(key(Objects.requireNonNull(type, "type"), service), Objects.requireNonNull(phase, "phase"));
  }

  /** Sets the phase for {@code type}. */
  public void set(IncidentType type, Phase phase) {
    set(type, null, phase);
  }

  /** Lowers every service-scoped phase of {@code type} above {@code ceiling} to it. */
  public void capScopes(IncidentType type, Phase ceiling) {
    String prefix = type.name() + "@";
    phases.replaceAll((k, v) -> k.startsWith(prefix) && v.compareTo(ceiling) > 0 ? ceiling : v);
  }

  /** Snapshot: keys are {@code type} or {@code type@service}. */
  public Map<String, Phase> snapshot() {
    return Map.copyOf(phases);
  }
}
