/** The guardrails engine: built-in safety policies, hard ceilings and the safety gate. */
@NullMarked
package dev.sreagent.core.guardrail;

import org.jspecify.annotations.NullMarked;
