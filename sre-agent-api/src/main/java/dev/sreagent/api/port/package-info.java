/**
 * sre-agent API: the ports, the seams between the loop and the world. Values are immutable and validated on
 * construction.
 *
 * <p>{@code noop()} exists where doing nothing is a meaningful, safe choice: {@link ActionExecutor} (acts on
 * nothing), {@link ApprovalChannel}, {@link CallGraph}, {@link Correlator}, {@link Detector}, {@link KnowledgeBase},
 * {@link Notifier}, {@link RemediationPlanner} (plans nothing: humans decide), {@link TelemetrySink},
 * {@link TelemetrySource}, {@link TopologyProvider}. It is deliberately missing where doing nothing would break a
 * safety promise or hide a fault: {@link AuditLog} (every decision must be recorded), {@link LockService} (a lock
 * that always grants lets two agents act on one target), {@link IncidentStore} (incidents would vanish),
 * {@link Guardrail} (allowing everything is not a guardrail), {@link Reasoner} (the offline evidence reasoner is the
 * default), {@link Clock} and {@link Embedder}.
 */
@NullMarked
package dev.sreagent.api.port;

import org.jspecify.annotations.NullMarked;
