package dev.sreagent.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.core.audit.AuditEvent.AboutIncident;
import dev.sreagent.core.internal.Json;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Writes {@link AuditEvent}s as audit entries and reads them back (see {@link AuditEvent} for the mapping). Scalar
 * components are written as plain strings (enums by name, times in ISO-8601, an {@link IncidentType} by its name);
 * everything else as JSON by the core's Jackson mapper. Reading checks that every component that is not
 * {@code @Nullable} is present and names the record, the key and the fix when one is not; a number or flag that is
 * absent reads as 0 or false (older records leave out a flag that is false).
 */
public final class AuditEvents {
  /** The actor of what the agent does on its own. */
  public static final String AGENT = "agent";

  private static final Map<String, Class<? extends AuditEvent>> BY_TYPE = new LinkedHashMap<>();
  private static final Map<Class<? extends AuditEvent>, String> TYPE_OF = new HashMap<>();
  private static final Map<Class<?>, Shape> SHAPES = new java.util.concurrent.ConcurrentHashMap<>();

  static {
    register(AuditTypes.AGENT_STARTED, AuditEvent.AgentStarted.class);
    register(AuditTypes.INCIDENT_OPENED, AuditEvent.IncidentOpened.class);
    register(AuditTypes.INCIDENT_UPDATED, AuditEvent.IncidentUpdated.class);
    register(AuditTypes.INCIDENT_STATE, AuditEvent.StateChanged.class);
    register(AuditTypes.DIAGNOSIS, AuditEvent.Diagnosed.class);
    register(AuditTypes.DECISION, AuditEvent.Decided.class);
    register(AuditTypes.APPROVAL_REQUESTED, AuditEvent.ApprovalRequested.class);
    register(AuditTypes.APPROVAL_GRANTED, AuditEvent.ApprovalGranted.class);
    register(AuditTypes.APPROVAL_REJECTED, AuditEvent.ApprovalRejected.class);
    register(AuditTypes.APPROVAL_REFUSED, AuditEvent.ApprovalRefused.class);
    register(AuditTypes.ACTION_SHADOWED, AuditEvent.ActionShadowed.class);
    register(AuditTypes.ACTION_STARTED, AuditEvent.ActionStarted.class);
    register(AuditTypes.ACTION_ATTEMPT_FAILED, AuditEvent.ActionAttemptFailed.class);
    register(AuditTypes.ACTION_COMPLETED, AuditEvent.ActionCompleted.class);
    register(AuditTypes.ACTION_RECONCILED, AuditEvent.ActionReconciled.class);
    register(AuditTypes.VERIFICATION, AuditEvent.Verified.class);
    register(AuditTypes.PHASE_CHANGED, AuditEvent.PhaseChanged.class);
    register(AuditTypes.POSTMORTEM, AuditEvent.PostmortemWritten.class);
    register(AuditTypes.DIAGNOSIS_REVIEWED, AuditEvent.DiagnosisReviewed.class);
    register(AuditTypes.KILL_SWITCH, AuditEvent.KillSwitchChanged.class);
    register(AuditTypes.FREEZE_DECLARED, AuditEvent.FreezeDeclared.class);
    register(AuditTypes.FREEZE_ENDED, AuditEvent.FreezeEnded.class);
    register(AuditTypes.AUDIT_TAIL_RECOVERED, AuditEvent.AuditTailRecovered.class);
    register(AuditTypes.AUDIT_TAIL_ACCEPTED, AuditEvent.AuditTailAccepted.class);
  }

  private AuditEvents() {}

  private static final String NULLABLE = "org.jspecify.annotations.Nullable";

  static {
    if (!shape(AuditEvent.IncidentOpened.class).parts.get(2).nullable) {
      throw new IllegalStateException("the audit codec cannot see " + NULLABLE + " on AuditEvent components: put"
          + " org.jspecify:jspecify on the run-time class path (a dependency of sre-agent-api; do not exclude it)");
    }
  }

  private static void register(String type, Class<? extends AuditEvent> c) {
    BY_TYPE.put(type, c);
    TYPE_OF.put(c, type);
  }

  /** Every entry type with a record of its own, in the order of {@link AuditTypes}. */
  public static Map<String, Class<? extends AuditEvent>> types() {
    return java.util.Collections.unmodifiableMap(BY_TYPE);
  }

  static String typeOf(AuditEvent e) {
    return Objects.requireNonNull(TYPE_OF.get(e.getClass()), () -> "no audit type for " + e.getClass());
  }

  /** {@code event} as the entry appended at {@code at}. */
  public static AuditEntry toEntry(AuditEvent event, Instant at) {
    if (event instanceof AuditEvent.Unrecognised u) {
      return new AuditEntry(at, u.type(), u.incidentId(), u.actor(), u.data());
    }
    Shape shape = shape(event.getClass());
    Map<String, String> data = new LinkedHashMap<>();
    for (Part p : shape.parts) {
      Object value = p.get(event);
      if (value == null) {
        if (!p.nullable) {
          throw new IllegalArgumentException(event.getClass().getSimpleName() + "." + p.name
              + " must not be null; only components marked @Nullable may be left out");
        }
      } else if (!p.entryField) {
        data.put(p.name, write(value));
      }
    }
    if (event instanceof AboutIncident) {
      data.put(AuditTypes.KEY_INCIDENT, data.remove(AuditTypes.KEY_INCIDENT)); // the snapshot last, as always
    }
    return new AuditEntry(at, event.auditType(), event.incidentId(), event.actor(), data);
  }

  /**
   * The event {@code entry} records; {@link AuditEvent.Unrecognised} for a type without a record.
   *
   * @throws IllegalArgumentException when the entry lacks a value its record needs or a value cannot be read; the
   *     message names the type, the key and the value
   */
  public static AuditEvent fromEntry(AuditEntry entry) {
    Class<? extends AuditEvent> c = BY_TYPE.get(entry.type());
    if (c == null) {
      return new AuditEvent.Unrecognised(entry.type(), entry.incidentId(), entry.actor(), entry.data());
    }
    Shape shape = shape(c);
    Object[] args = new Object[shape.parts.size()];
    for (int i = 0; i < args.length; i++) {
      Part p = shape.parts.get(i);
      String raw = p.name.equals("incidentId") ? entry.incidentId()
          : p.name.equals("actor") ? entry.actor() : entry.data().get(p.name);
      if (raw == null) {
        if (!p.nullable && !p.type.isPrimitive()) {
          throw new IllegalArgumentException("audit entry '" + entry.type() + "' at " + entry.timestamp()
              + " has no '" + p.name + "', which " + c.getSimpleName() + " needs; the entry is damaged or was not"
              + " written by the agent (read its data with AuditRecord.entry().data())");
        }
        args[i] = p.type.isPrimitive() ? primitiveDefault(p.type) : null;
        continue;
      }
      try {
        args[i] = read(raw, p);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("audit entry '" + entry.type() + "' at " + entry.timestamp() + ": '"
            + p.name + "' cannot be read as " + p.component.getGenericType().getTypeName() + ": '"
            + abbreviate(raw) + "' (" + e.getMessage() + ")", e);
      }
    }
    try {
      return shape.constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("audit entry '" + entry.type() + "' at " + entry.timestamp()
          + " is not a valid " + c.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + c.getName(), e);
    }
  }

  /** One record of the log as its event. */
  public static AuditEvent fromRecord(AuditRecord r) {
    try {
      return fromEntry(r.entry());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("audit record " + r.sequence() + ": " + e.getMessage(), e);
    }
  }

  /** Every record of {@code log} as an event, in order. */
  public static List<AuditEvent> read(AuditLog log) {
    List<AuditEvent> out = new ArrayList<>();
    for (AuditRecord r : log.records()) {
      out.add(fromRecord(r));
    }
    return out;
  }

  /** The events of {@code type} in {@code log}, in order. */
  public static <T extends AuditEvent> List<T> of(AuditLog log, Class<T> type) {
    String name = TYPE_OF.get(type);
    List<T> out = new ArrayList<>();
    for (AuditRecord r : log.records()) {
      if (name == null || name.equals(r.entry().type())) {
        AuditEvent e = fromRecord(r);
        if (type.isInstance(e)) {
          out.add(type.cast(e));
        }
      }
    }
    return out;
  }

  private static String write(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof IncidentType t) {
      return t.name();
    }
    if (value instanceof Instant || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return Json.write(value);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object read(String raw, Part p) {
    Class<?> t = p.type;
    if (t == String.class) {
      return raw;
    }
    if (t.isEnum()) {
      return Enum.valueOf((Class<Enum>) t, raw);
    }
    if (t == IncidentType.class) {
      return IncidentType.of(raw);
    }
    if (t == Instant.class) {
      return Instant.parse(raw);
    }
    if (t == int.class || t == Integer.class) {
      return Integer.parseInt(raw);
    }
    if (t == long.class || t == Long.class) {
      return Long.parseLong(raw);
    }
    if (t == double.class || t == Double.class) {
      return Double.parseDouble(raw);
    }
    if (t == boolean.class || t == Boolean.class) {
      if (!raw.equals("true") && !raw.equals("false")) {
        throw new IllegalArgumentException("expected true or false");
      }
      return Boolean.parseBoolean(raw);
    }
    if (t == Incident.class) {
      return readIncident(raw);
    }
    return Json.read(raw, p.component.getGenericType());
  }

  /**
   * An incident snapshot; one written before outcomes were typed (its {@code outcome} a sentence) is migrated: the
   * sentence becomes the {@code outcomeReason} and the outcome the one its terminal state implies
   * ({@link IncidentOutcome#RECOVERED}, {@link IncidentOutcome#ROLLED_BACK} or the untyped
   * {@link IncidentOutcome#ESCALATED}).
   */
  static Incident readIncident(String raw) {
    JsonNode tree;
    try {
      tree = Json.tree(raw);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode outcome = tree.get("outcome");
    if (tree instanceof ObjectNode n && outcome != null && outcome.isTextual()
        && Arrays.stream(IncidentOutcome.values()).noneMatch(o -> o.name().equals(outcome.asText()))) {
      n.put("outcomeReason", outcome.asText());
      String state = n.path("state").asText();
      n.put("outcome", state.equals(IncidentState.RESOLVED.name()) ? IncidentOutcome.RECOVERED.name()
          : state.equals(IncidentState.ROLLED_BACK.name()) ? IncidentOutcome.ROLLED_BACK.name()
          : IncidentOutcome.ESCALATED.name());
    }
    return Json.read(tree, Incident.class);
  }

  private static Object primitiveDefault(Class<?> t) {
    if (t == boolean.class) {
      return false;
    }
    if (t == double.class) {
      return 0.0;
    }
    if (t == long.class) {
      return 0L;
    }
    return 0;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static Shape shape(Class<?> c) {
    return SHAPES.computeIfAbsent(c, Shape::of);
  }

  /** A record's components and canonical constructor, looked up once. */
  private record Shape(List<Part> parts, Constructor<? extends AuditEvent> constructor) {
    @SuppressWarnings("unchecked")
    static Shape of(Class<?> c) {
      RecordComponent[] rc = c.getRecordComponents();
      List<Part> parts = Arrays.stream(rc).map(Part::new).toList();
      try {
        Constructor<? extends AuditEvent> k = (Constructor<? extends AuditEvent>) c.getDeclaredConstructor(
            Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new));
        return new Shape(parts, k);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(c + " has no canonical constructor", e);
      }
    }
  }

  private static final class Part {
    final RecordComponent component;
    final String name;
    final Class<?> type;
    final boolean nullable;
    final boolean entryField;

    Part(RecordComponent c) {
      this.component = c;
      this.name = c.getName();
      this.type = c.getType();
      // by name: without jspecify on the run-time class path the annotation is invisible (checked once, below)
      this.nullable = Arrays.stream(c.getAnnotatedType().getAnnotations())
          .anyMatch(a -> a.annotationType().getName().equals(NULLABLE));
      this.entryField = name.equals("incidentId") || name.equals("actor");
    }

    @Nullable Object get(Object event) {
      try {
        return component.getAccessor().invoke(event);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + name + " of " + event.getClass(), e);
      }
    }
  }
}
