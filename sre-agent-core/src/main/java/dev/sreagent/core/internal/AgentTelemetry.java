package dev.sreagent.core.internal;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The agent's own telemetry through the OpenTelemetry API (no SDK is forced on users: without one it costs
 * nothing): counters of signals by outcome, anomalies, incidents opened and actions by outcome, a gauge of active
 * incidents by state, and one span per incident from opening to its end, with an event per lifecycle transition.
 */
public final class AgentTelemetry {
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
  static final AttributeKey<String> TYPE = AttributeKey.stringKey("incident.type");
  static final AttributeKey<String> SEVERITY = AttributeKey.stringKey("incident.severity");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("incident.state");
  static final AttributeKey<String> INCIDENT_OUTCOME = AttributeKey.stringKey("incident.outcome");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("action.kind");
  static final AttributeKey<String> ID = AttributeKey.stringKey("incident.id");
  static final AttributeKey<String> ROOT = AttributeKey.stringKey("incident.root_service");
  private static final Attributes ACCEPTED = Attributes.of(OUTCOME, "accepted");
  private static final Attributes DROPPED = Attributes.of(OUTCOME, "dropped");
  private static final Attributes REJECTED = Attributes.of(OUTCOME, "rejected");

  private final LongCounter signals;
  private final LongCounter anomalies;
  private final LongCounter incidents;
  private final LongCounter actions;
  private final LongCounter llmTokens;
  private final io.opentelemetry.api.metrics.DoubleCounter llmCost;
  private final Tracer tracer;
  private final Map<String, Span> spans = new ConcurrentHashMap<>();

  public AgentTelemetry(OpenTelemetry otel, Supplier<List<Incident>> active) {
    Meter meter = otel.getMeter("dev.sreagent");
    this.signals = meter.counterBuilder("sreagent.signals").setDescription("telemetry signals by outcome").build();
    this.anomalies = meter.counterBuilder("sreagent.anomalies").setDescription("anomalies reported").build();
    this.incidents = meter.counterBuilder("sreagent.incidents.opened").setDescription("incidents opened").build();
    this.actions = meter.counterBuilder("sreagent.actions").setDescription("actions by outcome").build();
    this.llmTokens = meter.counterBuilder("sreagent.llm.tokens").setUnit("{token}")
        .setDescription("language-model tokens by model and direction (input, output)").build();
    this.llmCost = meter.counterBuilder("sreagent.llm.cost").ofDoubles().setUnit("USD")
        .setDescription("estimated language-model cost by model").build();
    meter.gaugeBuilder("sreagent.incidents.active").ofLongs().setDescription("active incidents by state")
        .buildWithCallback(m -> {
          Map<IncidentState, Long> counts = new EnumMap<>(IncidentState.class);
          for (Incident i : active.get()) {
            counts.merge(i.state(), 1L, Long::sum);
          }
          counts.forEach((s, n) -> m.record(n, Attributes.of(STATE, s.name())));
        });
    this.tracer = otel.getTracer("dev.sreagent");
  }

  public void accepted() {
    signals.add(1, ACCEPTED);
  }

  public void dropped() {
    signals.add(1, DROPPED);
  }

  public void rejected() {
    signals.add(1, REJECTED);
  }

  public void anomaly(String type) {
    anomalies.add(1, Attributes.of(TYPE, type));
  }

  public void opened(Incident i) {
    incidents.add(1, Attributes.of(TYPE, i.type().name(), SEVERITY, i.severity().name()));
    Span span = tracer.spanBuilder("incident " + i.type().name()).setNoParent().setStartTimestamp(i.openedAt())
        .setAttribute(ID, i.id()).setAttribute(TYPE, i.type().name()).setAttribute(ROOT, i.rootService())
        .startSpan();
    spans.put(i.id(), span);
  }

  public void transition(Incident i, String reason, Instant at) {
    Span span = spans.get(i.id());
    if (span == null) {
      return;
    }
    span.addEvent(i.state().name(), Attributes.of(AttributeKey.stringKey("reason"), reason), at);
    if (i.state().isTerminal()) {
      span.setAttribute(SEVERITY, i.severity().name());
      span.setAttribute(STATE, i.state().name());
      if (i.outcome() != null) {
        span.setAttribute(INCIDENT_OUTCOME, i.outcome().name());
      }
      span.setStatus(i.state() == IncidentState.RESOLVED ? StatusCode.OK : StatusCode.ERROR,
          i.outcomeReason() == null ? "" : i.outcomeReason());
      span.end(at);
      spans.remove(i.id());
    }
  }

  /** Tokens and cost of a diagnosis that used a language model. */
  public void llm(dev.sreagent.api.model.TokenUsage usage) {
    AttributeKey<String> model = AttributeKey.stringKey("model");
    AttributeKey<String> direction = AttributeKey.stringKey("direction");
    llmTokens.add(usage.inputTokens(), Attributes.of(model, usage.model(), direction, "input"));
    llmTokens.add(usage.outputTokens(), Attributes.of(model, usage.model(), direction, "output"));
    llmCost.add(usage.costUsd(), Attributes.of(model, usage.model()));
  }

  public void action(String kind, String outcome) {
    actions.add(1, Attributes.of(KIND, kind, OUTCOME, outcome));
  }
}
