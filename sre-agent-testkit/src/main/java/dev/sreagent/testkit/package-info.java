/**
 * The testkit: a deterministic, seeded {@link dev.sreagent.testkit.SimulatedCluster} on a
 * {@link dev.sreagent.testkit.VirtualClock}, fault injection ({@link dev.sreagent.testkit.Fault}), built-in
 * {@link dev.sreagent.testkit.Scenario scenarios}, a {@link dev.sreagent.testkit.ScenarioRunner} that wires an agent
 * to a cluster and produces a {@link dev.sreagent.testkit.Scorecard}, and a JUnit 5 extension
 * ({@link dev.sreagent.testkit.junit.SimulatedClusterTest}).
 *
 * <p>What the simulation is: a queueing model of a service graph (utilisation = arrival rate / capacity; latency
 * grows as 1/(1 - utilisation); overload drops requests), per-pod memory, per-service log volumes per node, TLS
 * certificates, revisions. What it is not: a Kubernetes API — use the fabric8 mock server for that.
 */
@NullMarked
package dev.sreagent.testkit;

import org.jspecify.annotations.NullMarked;
