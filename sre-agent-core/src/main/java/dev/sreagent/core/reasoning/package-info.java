/** The offline evidence reasoner and the action planner. */
@NullMarked
package dev.sreagent.core.reasoning;

import org.jspecify.annotations.NullMarked;
