/**
 * The agent: {@link dev.sreagent.core.SreAgent#builder()} composes ports and runs the incident loop.
 *
 * <p>The loop is a set of package-private stages over one {@code IncidentRecord} per incident and one
 * {@code ActionLedger} per idempotency key: {@code IncidentIntake} (signals into windows, call graph and detectors;
 * anomalies correlated into incidents), {@code Investigator} (gathers evidence, splits incidents with independent
 * roots), {@code Diagnoser} (knowledge and reasoner, on the loop or a diagnosis executor), {@code Decider} (planner,
 * safety gate, approvals), {@code Remediator} (actions under locks on the agent's action pool, retries, reconcile),
 * {@code Verifier} (the verification window, auto-rollback, follow-ups) and {@code Learner} (post-mortems, earned
 * autonomy); {@code AuditReplay} rebuilds their state from the audit log. Readers ({@code stats()},
 * {@code pendingApprovals()}, {@code dependencyGraph()}) see snapshots and never take the loop's lock.
 *
 * <p>Public surface for applications: {@link dev.sreagent.core.SreAgent}, {@link dev.sreagent.core.SreAgentBuilder},
 * {@link dev.sreagent.core.AgentSettings}, {@link dev.sreagent.core.AgentStats} and the policy types of the
 * sub-packages. Extension points other modules build on (kept stable, checked by the architecture tests): the
 * offline {@link dev.sreagent.core.reasoning.EvidenceReasoner} (a language-model reasoner's fallback),
 * {@link dev.sreagent.core.evidence.EvidenceDigest} (evidence compressed for a token budget),
 * {@link dev.sreagent.core.knowledge.LexicalKnowledgeBase} (the bundled runbooks) and
 * {@link dev.sreagent.core.knowledge.MarkdownDocuments} (runbook parsing), and
 * {@link dev.sreagent.core.audit.AuditChain} with {@link dev.sreagent.core.audit.AuditKey} and
 * {@link dev.sreagent.core.audit.HashChainedAuditLog} (the audit hash chain, for audit logs kept in a database). Anything in {@code ..internal..} may change
 * without notice.
 */
@NullMarked
package dev.sreagent.core;

import org.jspecify.annotations.NullMarked;
