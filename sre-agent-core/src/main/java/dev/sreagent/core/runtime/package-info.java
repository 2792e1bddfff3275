/** Drivers that run the agent loop in real time on a background thread. */
@NullMarked
package dev.sreagent.core.runtime;

import org.jspecify.annotations.NullMarked;
