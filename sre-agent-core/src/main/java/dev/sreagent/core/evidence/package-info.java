/** Evidence compression: log templates (Drain), metric summaries and extractive selection under a token budget. */
@NullMarked
package dev.sreagent.core.evidence;

import org.jspecify.annotations.NullMarked;
