/**
 * sre-agent API: state. Building blocks for the per-key state that detectors, the agent and adapters keep for the
 * telemetry they receive ({@link dev.sreagent.api.state.BoundedKeyedState}): bounded by a cap, deterministic, JDK
 * only, so a plug-in detector that needs nothing but {@code sre-agent-api} can bound its state the way the built-in
 * ones do.
 */
@NullMarked
package dev.sreagent.api.state;

import org.jspecify.annotations.NullMarked;
