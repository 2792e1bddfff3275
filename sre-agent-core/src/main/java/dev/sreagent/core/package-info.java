/** The agent: {@link dev.sreagent.core.SreAgent#builder()} composes ports and runs the incident loop. */
@NullMarked
package dev.sreagent.core;

import org.jspecify.annotations.NullMarked;
