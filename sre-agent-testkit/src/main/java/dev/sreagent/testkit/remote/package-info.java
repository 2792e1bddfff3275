/**
 * A simulated cluster served over loopback HTTP, and an agent process that drives it: for tests that kill the
 * agent's JVM while the cluster (the "outside world") keeps its state. An emulator of this SDK's own making, not of
 * any vendor API.
 */
@NullMarked
package dev.sreagent.testkit.remote;

import org.jspecify.annotations.NullMarked;
